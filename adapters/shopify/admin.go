package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/models"
)

// The REST Admin API's budget per app and shop: a bucket of 40 calls refilled at 2 a
// second. The shared limiter holds it as 40 calls per 20 s, so that every process
// spends one budget; a 429 that slips through waits for its Retry-After.
const (
	restBurst  = 40
	restPeriod = 20 * time.Second
)

// orderPath is the REST path of one order.
func orderPath(cfg Config, id string) string {
	return fmt.Sprintf("%s/admin/api/%s/orders/%s.json", cfg.baseURL(), cfg.apiVersion(), id)
}

// admin makes one Admin API call and decodes the answer's "order" into out (when set).
func (a *Adapter) admin(ctx context.Context, cfg Config, method, url string, body any, out *Order) error {
	if a.limiter != nil {
		wait, err := a.limiter.Allow(ctx, "shopify:"+cfg.ShopDomain, restBurst, restPeriod)
		if err != nil {
			return fmt.Errorf("shopify: rate limiter: %w", err)
		}
		if wait > 0 {
			return &adapters.ThrottledError{After: wait, Err: fmt.Errorf("shopify: REST budget of %s spent", cfg.ShopDomain)}
		}
	}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return &adapters.PermanentError{Err: err}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("shopify: %w", err)}
	}
	req.Header.Set("X-Shopify-Access-Token", cfg.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("shopify: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("shopify: %s %s: read answer: %w", method, url, err)
	}
	if err := statusError(resp, raw); err != nil {
		return fmt.Errorf("shopify: %s %s: %w", method, url, err)
	}
	if out == nil {
		return nil
	}
	var wrapper struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil || len(wrapper.Order) == 0 {
		return fmt.Errorf("shopify: %s %s: answer holds no order (%.200s)", method, url, raw)
	}
	o, err := ParseOrder(wrapper.Order)
	if err != nil {
		return fmt.Errorf("shopify: %s %s: %w", method, url, err)
	}
	*out = *o
	return nil
}

// statusError maps the Admin API's HTTP answer: 429 waits for Retry-After; 401, 402,
// 403, 404 and 422 (bad token, frozen shop, missing scope, no such order, invalid
// change) cannot be fixed by retrying; 5xx is retried.
func statusError(resp *http.Response, body []byte) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err := fmt.Errorf("answered %d: %.300s", resp.StatusCode, bytes.TrimSpace(body))
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		wait := time.Second
		if s, perr := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); perr == nil && s > 0 && s < 3600 {
			wait = time.Duration(s * float64(time.Second))
		}
		return &adapters.ThrottledError{After: wait, Err: err}
	case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
		return &adapters.PermanentError{Err: err}
	}
	return err
}

func (a *Adapter) order(ctx context.Context, cfg Config, id string) (*Order, error) {
	var o Order
	if err := a.admin(ctx, cfg, http.MethodGet, orderPath(cfg, id), nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// FetchOrder reads one order through the Admin API.
func (a *Adapter) FetchOrder(ctx context.Context, ch adapters.Channel, orderID string) (*adapters.OrderEvent, error) {
	cfg, err := config(ch)
	if err != nil {
		return nil, err
	}
	o, err := a.order(ctx, cfg, orderID)
	if err != nil {
		return nil, err
	}
	return o.Event()
}

// refundEvent is the refund's order, read now, with the refund as its case; its time is
// the later of the order's update and the refund's creation.
func (a *Adapter) refundEvent(ctx context.Context, cfg Config, r *Refund) (*adapters.OrderEvent, error) {
	c, err := r.Case()
	if err != nil {
		return nil, err
	}
	o, err := a.order(ctx, cfg, r.OrderID.String())
	if err != nil {
		return nil, err
	}
	ev, err := o.Event()
	if err != nil {
		return nil, err
	}
	created, _ := time.Parse(time.RFC3339, r.CreatedAt)
	if created.After(ev.UpdatedAt) {
		ev.UpdatedAt = created.UTC()
	}
	ev.Refund = c
	return ev, nil
}

// FlagTagPrefix marks the tag that carries ChatBridge's flag colour: Shopify orders
// have a note but no flag, so the colour is the tag "flag:red" (one at a time).
const FlagTagPrefix = "flag:"

// WriteNote sets the order's note and its flag tag through the REST Admin API (PUT
// orders/{id}.json). Tags are one comma-separated field, so the current ones are read
// first and every other tag is kept.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	if !slices.Contains(models.Flags, n.Flag) {
		return &adapters.PermanentError{Err: fmt.Errorf("shopify: unknown flag %q", n.Flag)}
	}
	cur, err := a.order(ctx, cfg, n.OrderID)
	if err != nil {
		return err
	}
	var tags []string
	if cur.Tags != nil {
		for _, t := range strings.Split(*cur.Tags, ",") {
			if t = strings.TrimSpace(t); t != "" && !strings.HasPrefix(t, FlagTagPrefix) {
				tags = append(tags, t)
			}
		}
	}
	if n.Flag != "none" {
		tags = append(tags, FlagTagPrefix+n.Flag)
	}
	body := map[string]any{"order": map[string]any{"id": json.Number(n.OrderID), "note": n.Note, "tags": strings.Join(tags, ", ")}}
	return a.admin(ctx, cfg, http.MethodPut, orderPath(cfg, n.OrderID), body, nil)
}

// UpdateAddress changes the order's shipping address: name, phone and street
// (address1; address2 cleared). ChatBridge holds the region as one text, so a change
// of country, province, city or zip is refused: make it in the Shopify admin.
func (a *Adapter) UpdateAddress(ctx context.Context, ch adapters.Channel, c adapters.AddressChange) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	cur, err := a.order(ctx, cfg, c.OrderID)
	if err != nil {
		return err
	}
	if cur.ShippingAddress == nil {
		return &adapters.PermanentError{Err: fmt.Errorf("shopify: order %s has no shipping address to change", c.OrderID)}
	}
	if c.Address.Region != "" && c.Address.Region != cur.ShippingAddress.Region() {
		return &adapters.PermanentError{Err: &adapters.BadRequestError{Field: "address.region",
			Reason: fmt.Sprintf("cannot change from %q on Shopify through ChatBridge: change country, province, city or zip in the Shopify admin", cur.ShippingAddress.Region())}}
	}
	addr := map[string]any{"first_name": c.Address.Name, "last_name": "", "phone": c.Address.Phone,
		"address1": c.Address.Detail, "address2": ""}
	body := map[string]any{"order": map[string]any{"id": json.Number(c.OrderID), "shipping_address": addr}}
	return a.admin(ctx, cfg, http.MethodPut, orderPath(cfg, c.OrderID), body, nil)
}
