package api_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/apptest"
)

type reportFigures struct {
	Chats, Turns, Answered int
	ReplyRate              *float64 `json:"reply_rate"`
	Median                 *float64 `json:"first_response_median_seconds"`
	P90                    *float64 `json:"first_response_p90_seconds"`
	WithinTarget           int      `json:"within_target"`
	WithinTargetRate       *float64 `json:"within_target_rate"`
	Resolved               int
}

type reportOut struct {
	From, To, Timezone string
	Target             int `json:"first_response_target_seconds"`
	Rows               []struct {
		Date      string
		AgentID   *string `json:"agent_id"`
		AgentName string  `json:"agent_name"`
		reportFigures
	}
	Days  []struct{ Date string }
	Total reportFigures
}

// The agent report through the real app on a frozen clock: a buyer answered in 12 s,
// another in 50 s, a third waiting; the figures, the CSV, the service settings that
// drive them, roles, other shops and bad input.
func TestContractReports(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) // 09:00 in Shanghai
	e := startWithClock(t, clock)
	s := newServiceShop(t, e, "reports")
	agent, sup := e.as(s.agent), e.as(s.sup)
	agent.do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	reply := func(buyer, text string) {
		t.Helper()
		agent.do("POST", "/api/v1/conversations/"+sup.find(buyer).ID+"/messages", map[string]string{"text": text}, http.StatusAccepted, nil)
	}
	e.say(s.ch, "rp-1", "一号", "在吗")
	clock.Advance(12 * time.Second)
	reply("rp-1", "在的")
	e.say(s.ch, "rp-2", "二号", "有优惠吗")
	clock.Advance(50 * time.Second)
	reply("rp-2", "满199减20")
	e.say(s.ch, "rp-3", "三号", "发什么快递")
	agent.do("POST", "/api/v1/conversations/"+sup.find("rp-1").ID+"/resolve", nil, http.StatusOK, nil)

	var rep reportOut
	sup.do("GET", "/api/v1/reports/agents", nil, http.StatusOK, &rep)
	if rep.From != "2026-11-17" || rep.To != "2026-11-23" || rep.Timezone != "Asia/Shanghai" || rep.Target != 30 || len(rep.Days) != 7 {
		t.Fatalf("default range: %s..%s %s target %d, %d days; want the shop's last seven days", rep.From, rep.To, rep.Timezone, rep.Target, len(rep.Days))
	}
	if len(rep.Rows) != 1 || rep.Rows[0].AgentID == nil || *rep.Rows[0].AgentID != s.agent.ID || rep.Rows[0].Date != "2026-11-23" {
		t.Fatalf("rows %+v, want the agent's day", rep.Rows)
	}
	got := rep.Rows[0].reportFigures
	if got.Chats != 3 || got.Turns != 3 || got.Answered != 2 || *got.ReplyRate != 2.0/3 || *got.Median != 31 || *got.P90 != 50 ||
		got.WithinTarget != 1 || *got.WithinTargetRate != 1.0/3 || got.Resolved != 1 {
		t.Fatalf("the agent's figures %+v (median %v p90 %v); want 3 chats, 3 turns, 2 answered, median 31 s, p90 50 s, 1 within 30 s, 1 resolved",
			got, *got.Median, *got.P90)
	}

	t.Run("CSV with a BOM, in English or Chinese", func(t *testing.T) {
		for lang, head := range map[string]string{"": "date", "zh-CN": "日期"} {
			resp, raw := call(t, "GET", e.URL+"/api/v1/reports/agents.csv?from=2026-11-23&to=2026-11-23&lang="+lang, s.sup.Token, nil, nil)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "agent-report-2026-11-23-2026-11-23.csv") {
				t.Fatalf("csv %q: %d %v", lang, resp.StatusCode, resp.Header)
			}
			if !strings.HasPrefix(string(raw), "\ufeff"+head+",") {
				t.Fatalf("csv %q starts %q", lang, raw[:20])
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 2 {
				t.Fatalf("csv %q: %d records (%v)", lang, len(recs), err)
			}
			row := strings.Join(recs[1][:9], ",")
			if want := "2026-11-23," + s.agent.ID + "," + s.agent.Username + " A1,3,3,2,0.6667,31.000,50.000"; row != want {
				t.Fatalf("csv %q row %s\nwant %s", lang, row, want)
			}
		}
	})

	t.Run("the shop's target drives the share within it", func(t *testing.T) {
		sup.fail("PUT", "/api/v1/settings/service", map[string]any{"first_response_target_seconds": 0.5}, http.StatusBadRequest)
		sup.fail("PUT", "/api/v1/settings/service", map[string]any{"first_response_target_seconds": 99999}, http.StatusBadRequest,
			"service.first_response_target_seconds")
		sup.do("PUT", "/api/v1/settings/service", map[string]any{"first_response_target_seconds": 60}, http.StatusOK, nil)
		var r reportOut
		sup.do("GET", "/api/v1/reports/agents?from=2026-11-23&to=2026-11-23", nil, http.StatusOK, &r)
		if r.Target != 60 || r.Total.WithinTarget != 2 {
			t.Fatalf("with a 60 s target: target %d, %d within", r.Target, r.Total.WithinTarget)
		}
	})

	t.Run("roles and other shops", func(t *testing.T) {
		agent.fail("GET", "/api/v1/reports/agents", nil, http.StatusForbidden)
		e.as(s.packer).fail("GET", "/api/v1/reports/agents.csv", nil, http.StatusForbidden)
		e.as(s.otherSup).fail("GET", "/api/v1/reports/agents?shop_id="+s.id, nil, http.StatusNotFound)
		e.as(s.otherSup).fail("GET", "/api/v1/reports/agents.csv?shop_id="+s.id, nil, http.StatusNotFound)
		var other reportOut
		e.as(s.otherSup).do("GET", "/api/v1/reports/agents", nil, http.StatusOK, &other)
		if len(other.Rows) != 0 || other.Total.Turns != 0 {
			t.Fatalf("another shop's report shows %+v", other.Rows)
		}
		e.admin.fail("GET", "/api/v1/reports/agents", nil, http.StatusBadRequest, "shop_id")
		var adm reportOut
		e.admin.do("GET", "/api/v1/reports/agents?shop_id="+s.id, nil, http.StatusOK, &adm)
		if len(adm.Rows) != 1 {
			t.Fatalf("the admin's report has %d rows", len(adm.Rows))
		}
	})

	t.Run("bad input names the field", func(t *testing.T) {
		for q, field := range map[string]string{
			"from=2026-13-01&to=2026-11-23": "from",
			"from=2026-11-23&to=yesterday":  "to",
			"from=2026-11-23&to=2026-11-22": "to",
			"from=2026-01-01&to=2026-11-23": "to",
		} {
			sup.fail("GET", "/api/v1/reports/agents?"+q, nil, http.StatusBadRequest, field)
			sup.fail("GET", "/api/v1/reports/agents.csv?"+q, nil, http.StatusBadRequest, field)
		}
		sup.fail("GET", "/api/v1/reports/agents.csv?lang=fr", nil, http.StatusBadRequest, "lang")
	})
}
