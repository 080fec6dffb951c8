package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	id := "7"
	half, med := 0.5, 27.5
	rep := &Report{Rows: []Row{
		{Date: "2026-11-23", AgentID: &id, AgentName: "=Amy 001", Figures: Figures{Chats: 2, Turns: 4, Answered: 2,
			ReplyRate: &half, FirstResponseMedianSeconds: &med, FirstResponseP90Seconds: &med}},
		{Date: "2026-11-23", Figures: Figures{Turns: 1}},
	}}
	for lang, head := range map[string]string{"en": "date", "zh-CN": "日期", "": "date"} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, rep, lang); err != nil {
			t.Fatal(err)
		}
		raw := buf.String()
		if !strings.HasPrefix(raw, "\ufeff"+head+",") {
			t.Fatalf("%s: starts %q, want the BOM and %q", lang, raw[:min(len(raw), 20)], head)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 3 || len(recs[0]) != len(columns) {
			t.Fatalf("%s: %d records (%v)", lang, len(recs), err)
		}
		got := map[string]string{}
		for i, c := range columns {
			got[c.en] = recs[1][i]
		}
		want := map[string]string{"date": "2026-11-23", "agent_id": "7", "agent": "'=Amy 001", "chats": "2", "turns": "4",
			"answered": "2", "reply_rate": "0.5000", "first_response_median_seconds": "27.500", "rating_average": "", "overrides": "0"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", lang, k, got[k], v)
			}
		}
		if recs[2][1] != "" || (recs[2][2] != "(unassigned)" && recs[2][2] != "（未分配）") {
			t.Errorf("%s: the unassigned row starts %v", lang, recs[2][:3])
		}
	}
}
