package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
)

// callbackRecorder is a shop's system on the far side of the generic channel: it checks
// every callback's signature and keeps the events; fail makes it answer 500.
type callbackRecorder struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	events []map[string]any
	fail   bool
}

func (r *callbackRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := generic.Verify(r.secret, req.Header.Get(generic.HeaderTimestamp), req.Header.Get(generic.HeaderSignature), body, time.Now()); err != nil {
		r.t.Errorf("callback signature: %v", err)
	}
	if r.fail {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	r.events = append(r.events, ev)
}

func (r *callbackRecorder) noteEvents() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, ev := range r.events {
		if ev["event"] == "order_note" {
			out = append(out, ev["order_note"].(map[string]any))
		}
	}
	return out
}

func TestOrderNoteIsWrittenBackToThePlatform(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	rec := &callbackRecorder{t: t}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	shop := inst.NewShop(t, "notes", srv.URL)
	rec.secret = shop.Secret

	if status, body := inst.Webhook(t, shop, OrderBody("T1001", "b-1", "paid", time.Now())); status != http.StatusOK {
		t.Fatalf("order: %d %s", status, body)
	}
	inst.Webhook(t, shop, MessageBody("m-1", "b-1", "Alice", "能改地址吗"))
	var list struct{ Items []struct{ ID string } }
	shop.Agent.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
	var conv struct {
		Orders []struct {
			ID, Flag, Note string
			ExternalID     string `json:"external_id"`
			NoteSync       string `json:"note_sync"`
		} `json:"orders"`
	}
	shop.Agent.Do("GET", "/api/v1/conversations/"+list.Items[0].ID, nil, http.StatusOK, &conv)
	orderID := conv.Orders[0].ID

	var set struct {
		ExternalID string `json:"external_id"`
		Flag, Note string
		NoteSync   string `json:"note_sync"`
	}
	shop.Agent.Do("PUT", "/api/v1/orders/"+orderID+"/note",
		map[string]string{"flag": "red", "note": "改地址：杭州市西湖区文三路99号", "category": "address_change"}, http.StatusOK, &set)
	if set.Flag != "red" || set.ExternalID != "T1001" || set.NoteSync != "pending" {
		t.Fatalf("PUT note answered %+v", set)
	}
	Eventually(t, 10*time.Second, "the note to reach the platform", func() bool { return len(rec.noteEvents()) == 1 })
	got := rec.noteEvents()[0]
	if got["order_id"] != "T1001" || got["flag"] != "red" || !strings.Contains(got["note"].(string), "文三路99号") {
		t.Fatalf("platform received %v", got)
	}
	type history struct {
		Items []struct {
			Flag, Sync string
			SyncError  string `json:"sync_error"`
		}
	}
	var h history
	Eventually(t, 10*time.Second, "the note to be marked synced", func() bool {
		shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/notes", nil, http.StatusOK, &h)
		return len(h.Items) == 1 && h.Items[0].Sync == "synced"
	})

	// The platform is down: the write-back is retried, then shown as failed.
	rec.mu.Lock()
	rec.fail = true
	rec.mu.Unlock()
	shop.Agent.Do("PUT", "/api/v1/orders/"+orderID+"/note", map[string]string{"flag": "yellow", "note": "送贺卡"}, http.StatusOK, nil)
	Eventually(t, 30*time.Second, "the failed write-back to show", func() bool {
		h = history{}
		shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/notes", nil, http.StatusOK, &h)
		return len(h.Items) == 2 && h.Items[0].Sync == "failed"
	})
	if !strings.Contains(h.Items[0].SyncError, "500") || h.Items[1].Sync != "synced" {
		t.Fatalf("history after failure: %+v", h.Items)
	}
	shop.Agent.Do("GET", "/api/v1/conversations/"+list.Items[0].ID, nil, http.StatusOK, &conv)
	if conv.Orders[0].Flag != "yellow" || conv.Orders[0].NoteSync != "failed" {
		t.Fatalf("order beside the chat: %+v", conv.Orders[0])
	}

	// Bad input names the field; another shop's order is not there.
	_, body := shop.Agent.Do("PUT", "/api/v1/orders/"+orderID+"/note", map[string]string{"flag": "pink"}, http.StatusBadRequest, nil)
	if !strings.Contains(string(body), `"field":"flag"`) {
		t.Fatalf("bad flag answered %s", body)
	}
	other := inst.NewShop(t, "notes-other", srv.URL)
	other.Agent.Do("PUT", "/api/v1/orders/"+orderID+"/note", map[string]string{"flag": "red"}, http.StatusNotFound, nil)
	other.Agent.Do("GET", "/api/v1/orders/"+orderID+"/notes", nil, http.StatusNotFound, nil)
}
