package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"保温杯", []string{"保温", "温杯"}},
		{"这款保温杯有粉色的吗?", []string{"保温", "杯有", "款保", "温杯", "有粉", "的吗", "粉色", "色的", "这款"}},
		{"Do you have Tangerine flavour?", []string{"do", "flavour", "have", "tangerine", "you"}},
		{"ＴＡＮＧＥＲＩＮＥ！", []string{"tangerine"}},
		{"订单T1001 已发货", []string{"t1001", "发货", "已发", "订单"}},
		{"好，的", nil},   // punctuation ends a run of characters
		{"a I 1", nil}, // one-letter words are not indexed
		{"", nil},
	}
	for _, tc := range cases {
		got := Terms(tc.text)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Terms(%q) = %q, want %q", tc.text, got, want)
		}
	}
}

func TestTermsAreBounded(t *testing.T) {
	long := strings.Repeat("长", 10) + " " + strings.Repeat("x", 100) + "é"
	for _, term := range Terms(long) {
		if len(term) > MaxTermBytes {
			t.Errorf("term %q is %d bytes", term, len(term))
		}
	}
	if got := Terms(strings.Repeat("长", 40)); len(got) != 1 {
		t.Errorf("a repeated pair gives %d terms, want 1", len(got))
	}
	var b strings.Builder
	for i := range 2000 {
		b.WriteRune(rune(0x4e00 + i))
	}
	if got := len(Terms(b.String())); got > maxTerms {
		t.Errorf("%d terms from one text, want at most %d", got, maxTerms)
	}
}
