package inbox

import (
	"slices"
	"testing"

	"github.com/chatbridge/chatbridge/models"
)

func TestForbiddenPhrasesToleratesSpacingAndPunctuation(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"大点声,听不见!", []string{"大点声,听不见!"}},
		{"大 点 声！！听不见", []string{"大点声,听不见!"}},
		{"亲，这是规定。。我有什么办法", []string{"这是规定,我有什么办法。"}},
		{"你不是说今天发货吗？", []string{"你不是说XX吗?"}},
		{"你到售后部门问问吧", []string{"你到XX部门问问吧。"}},
		{"不是告诉你了 怎么还不明白", []string{"不是告诉你了,怎么还不明白?"}},
		{"您好，今天就能发货哦", nil},
		{"你不是说", nil},
		{"", nil},
	}
	for _, tc := range cases {
		got := ForbiddenPhrases(tc.text, StandardForbiddenPhrases)
		if !slices.Equal(got, tc.want) {
			t.Errorf("ForbiddenPhrases(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestStageFollowsLatestOrder(t *testing.T) {
	for status, want := range map[string]string{
		"": "pre_sale", "unpaid": "pre_sale", "closed": "pre_sale",
		"paid": "in_sale", "shipped": "in_sale",
		"delivered": "after_sale", "refunding": "after_sale", "refunded": "after_sale",
	} {
		got := StageOf(orderWithStatus(status))
		if string(got) != want {
			t.Errorf("StageOf(%q) = %s, want %s", status, got, want)
		}
	}
}

func orderWithStatus(status string) *models.Order {
	if status == "" {
		return nil
	}
	return &models.Order{Status: models.OrderStatus(status)}
}
