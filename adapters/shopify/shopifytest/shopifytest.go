// Package shopifytest is a fake Shopify Admin REST API for tests (orders read and
// updated with X-Shopify-Access-Token), and builds webhook deliveries signed the way
// Shopify signs them.
package shopifytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/shopify"
)

// Server is the fake Admin API of one shop.
type Server struct {
	*httptest.Server
	AccessToken string

	mu        sync.Mutex
	orders    map[string]shopify.Order
	notes     []adaptertest.NoteCall
	addresses []shopify.Address
	fault     string
	revoked   bool
}

// New starts a fake Admin API; Close it when done.
func New(accessToken string) *Server {
	s := &Server{AccessToken: accessToken, orders: map[string]shopify.Order{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PutOrder stores (or replaces) an order.
func (s *Server) PutOrder(o shopify.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID.String()] = o
}

// Order returns the stored order.
func (s *Server) Order(id string) shopify.Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orders[id]
}

// Notes lists the note updates accepted; Flag is the colour of the order's flag: tag
// after the update ("" when it has none).
func (s *Server) Notes() []adaptertest.NoteCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// Addresses lists the shipping addresses accepted.
func (s *Server) Addresses() []shopify.Address {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.addresses)
}

// FailNext makes the next call answer 503; ThrottleNext 429 with Retry-After: 2.0;
// RejectNext 401.
func (s *Server) FailNext()     { s.arm("fail") }
func (s *Server) ThrottleNext() { s.arm("throttle") }
func (s *Server) RejectNext()   { s.arm("reject") }

// Revoke makes every later call fail as with a revoked authorisation.
func (s *Server) Revoke() { s.mu.Lock(); s.revoked = true; s.mu.Unlock() }

func (s *Server) arm(f string) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

var orderPath = regexp.MustCompile(`^/admin/api/(\d{4}-\d{2}|unstable)/orders/(\d+)\.json$`)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := orderPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != s.AccessToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked {
		s.fault = "reject"
	}
	switch f := s.fault; f {
	case "fail":
		s.fault = ""
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"errors": "Service Unavailable"})
		return
	case "throttle":
		s.fault = ""
		w.Header().Set("Retry-After", "2.0")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
		return
	case "reject":
		s.fault = ""
		writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	o, ok := s.orders[m[2]]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"order": o})
	case http.MethodPut:
		s.update(w, r, o)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"errors": "Method Not Allowed"})
	}
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, o shopify.Order) {
	var body struct {
		Order struct {
			ID              json.Number      `json:"id"`
			Note            *string          `json:"note"`
			Tags            *string          `json:"tags"`
			ShippingAddress *shopify.Address `json:"shipping_address"`
		} `json:"order"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body.Order.ID != o.ID {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{"order": "Required parameter missing or invalid"}})
		return
	}
	if body.Order.Note != nil {
		o.Note = body.Order.Note
	}
	if body.Order.Tags != nil {
		o.Tags = body.Order.Tags
	}
	if a := body.Order.ShippingAddress; a != nil {
		merged := *o.ShippingAddress
		merged.Name = strings.TrimSpace(a.FirstName + " " + a.LastName)
		merged.FirstName, merged.LastName, merged.Phone, merged.Address1, merged.Address2 = a.FirstName, a.LastName, a.Phone, a.Address1, a.Address2
		o.ShippingAddress = &merged
		s.addresses = append(s.addresses, *a)
	}
	o.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
	s.orders[o.ID.String()] = o
	if body.Order.Note != nil || body.Order.Tags != nil {
		flag := ""
		if o.Tags != nil {
			for _, t := range strings.Split(*o.Tags, ",") {
				if c, ok := strings.CutPrefix(strings.TrimSpace(t), shopify.FlagTagPrefix); ok {
					flag = c
				}
			}
		}
		note := ""
		if o.Note != nil {
			note = *o.Note
		}
		s.notes = append(s.notes, adaptertest.NoteCall{OrderID: o.ID.String(), Flag: flag, Note: note})
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": o})
}

// Delivery builds a webhook delivery to url as Shopify sends it: the topic, shop and
// webhook id headers, and the body signed with the app's client secret.
func Delivery(url, secret, shopDomain, topic, webhookID string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(shopify.HeaderTopic, topic)
	req.Header.Set(shopify.HeaderShop, shopDomain)
	req.Header.Set(shopify.HeaderWebhookID, webhookID)
	req.Header.Set("X-Shopify-API-Version", shopify.DefaultAPIVersion)
	req.Header.Set(shopify.HeaderTriggered, time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set(shopify.HeaderHmac, shopify.Sign(secret, body))
	return req
}
