package satisfaction

import "testing"

func TestParseScore(t *testing.T) {
	cases := map[string]int{
		"5": 5, "1": 1, " 3 ": 3, "５": 5, "１": 1, "4分": 4, "４分": 4, "5星": 5, "5 分": 5, "5！": 5, "「5」": 5, "3。": 3,
		"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1, "满意！": 4, " 非常满意。": 5,
		// Not ratings.
		"0": 0, "6": 0, "55": 0, "5555": 0, "10": 0, "五": 0, "还行吧": 0, "满意，谢谢": 0, "不太满意": 0,
		"5块钱": 0, "订单5": 0, "": 0, "我给5分": 0,
	}
	for text, want := range cases {
		got, ok := ParseScore(text)
		if ok != (want != 0) || got != want {
			t.Errorf("ParseScore(%q) = %d, %v; want %d", text, got, ok, want)
		}
	}
}
