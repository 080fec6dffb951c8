package generic_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/models"
)

const conformanceSecret = "whsec-conformance"

func TestConformance(t *testing.T) {
	relay := newRelay(t, conformanceSecret)
	cfg, _ := json.Marshal(generic.Config{CallbackURL: relay.URL})
	ch := adapters.Channel{ID: 5, ShopID: 1, Type: generic.Type, Secret: conformanceSecret, Config: cfg}
	sentAt := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

	// Odd deliveries are buyer messages, even ones order events with a refund.
	body := func(n int) (string, []adapters.Event) {
		if n%2 == 1 {
			return fmt.Sprintf(`{"event":"message","message":{"id":"m-%d","customer":{"id":"buyer-%d","name":"小王"},`+
					`"type":"text","text":"还有货吗？%d","sent_at":"2026-11-23T08:00:00Z"}}`, n, n, n),
				[]adapters.Event{{Message: &adapters.InboundMessage{
					ExternalID: fmt.Sprintf("m-%d", n), Customer: adapters.Customer{ID: fmt.Sprintf("buyer-%d", n), Name: "小王"},
					Type: "text", Text: fmt.Sprintf("还有货吗？%d", n), SentAt: sentAt,
				}}}
		}
		return fmt.Sprintf(`{"event":"order","order":{"id":"T%d","customer_id":"buyer-1","status":"refunding",`+
				`"total":"129.00","currency":"CNY","items":[{"sku":"A-1","title":"Mug","quantity":1}],`+
				`"updated_at":"2026-11-23T08:00:00Z","refund":{"id":"R%d","type":"refund_only","status":"requested",`+
				`"amount":"129.00","reason":"破损","deadline_at":"2026-11-25T08:00:00Z"}}}`, n, n),
			[]adapters.Event{{Order: &adapters.OrderEvent{
				ExternalID: fmt.Sprintf("T%d", n), CustomerID: "buyer-1", Status: models.OrderRefunding,
				Total: "129.00", Currency: "CNY", Items: []models.OrderItem{{SKU: "A-1", Title: "Mug", Quantity: 1}},
				UpdatedAt: sentAt, Refund: &adapters.Refund{
					ExternalID: fmt.Sprintf("R%d", n), Type: "refund_only", Status: "requested", Amount: "129.00",
					Reason: "破损", DeadlineAt: sentAt.Add(48 * time.Hour),
				},
			}}}
	}
	signed := func(secret string, at time.Time, raw string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/generic/5", strings.NewReader(raw))
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set(generic.HeaderTimestamp, ts)
		req.Header.Set(generic.HeaderSignature, generic.Sign(secret, ts, []byte(raw)))
		return req
	}
	adaptertest.Run(t, adaptertest.Platform{
		Adapter: generic.New(relay.Client()),
		Channel: ch,
		Deliver: func(t *testing.T, n int) (*http.Request, []adapters.Event) {
			raw, want := body(n)
			return signed(conformanceSecret, time.Now(), raw), want
		},
		Forge: func(t *testing.T, n int) *http.Request {
			raw, _ := body(n)
			return signed("not-the-channel-secret", time.Now(), raw)
		},
		Stale: func(t *testing.T, n int) *http.Request {
			raw, _ := body(n)
			return signed(conformanceSecret, time.Now().Add(-generic.MaxSkew-time.Minute), raw)
		},
		API: relay,
	})
}

// relay is a shop's relay as the generic channel's callback sees it: it checks the
// signature of every callback and answers as the suite asks.
type relay struct {
	*httptest.Server
	secret string

	mu       sync.Mutex
	sent     []adaptertest.SentReply
	fail     int
	throttle time.Duration
}

func newRelay(t *testing.T, secret string) *relay {
	r := &relay{secret: secret}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *relay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if err := generic.Verify(r.secret, req.Header.Get(generic.HeaderTimestamp), req.Header.Get(generic.HeaderSignature), body, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.throttle > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int(r.throttle/time.Second)))
		r.throttle = 0
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case r.fail > 0:
		r.fail--
		http.Error(w, "upstream busy", http.StatusBadGateway)
		return
	}
	var ev struct {
		Message struct {
			ID       string `json:"id"`
			Customer struct {
				ID string `json:"id"`
			} `json:"customer"`
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.sent = append(r.sent, adaptertest.SentReply{Key: ev.Message.ID, BuyerID: ev.Message.Customer.ID, Text: ev.Message.Text})
}

func (r *relay) Sent() []adaptertest.SentReply {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]adaptertest.SentReply(nil), r.sent...)
}
func (r *relay) FailNext(n int) { r.mu.Lock(); r.fail = n; r.mu.Unlock() }
func (r *relay) ThrottleNext(after time.Duration) {
	r.mu.Lock()
	r.throttle = after
	r.mu.Unlock()
}

// RejectNext: the generic contract retries every non-2xx answer, so a relay has no
// permanent refusal.
func (r *relay) RejectNext() bool { return false }
