package generic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/models"
)

type envelope struct {
	Event   string       `json:"event"`
	Message *wireMessage `json:"message"`
	Order   *wireOrder   `json:"order"`
}

type wireCustomer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireMessage struct {
	ID       string        `json:"id"`
	Customer *wireCustomer `json:"customer"`
	Type     string        `json:"type"`
	Text     string        `json:"text"`
	SentAt   string        `json:"sent_at"`
	OrderID  string        `json:"order_id"`
	// Media is ChatBridge's extension of the wire format for image messages:
	// {"type":"image","text":"optional caption","media":{"url":"https://..."}}.
	Media *wireMedia `json:"media"`
}

type wireMedia struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	FileName    string `json:"file_name"`
}

type wireOrder struct {
	ID         string             `json:"id"`
	CustomerID string             `json:"customer_id"`
	Status     string             `json:"status"`
	Total      amount             `json:"total"`
	Currency   string             `json:"currency"`
	Items      []models.OrderItem `json:"items"`
	Address    *models.Address    `json:"address"`
	Tracking   *wireTracking      `json:"tracking"`
	UpdatedAt  string             `json:"updated_at"`
	Refund     *wireRefund        `json:"refund"`
}

type wireTracking struct {
	Carrier string `json:"carrier"`
	Number  string `json:"number"`
}

type wireRefund struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	Amount     amount `json:"amount"`
	Reason     string `json:"reason"`
	DeadlineAt string `json:"deadline_at"`
}

// amount accepts a money value written as a JSON string ("129.00") or number (129).
type amount string

func (a *amount) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = amount(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		// An *json.UnmarshalTypeError gets the field's path from the decoder, so the
		// answer names order.total or order.refund.amount rather than the whole body.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[amount]()}
	}
	*a = amount(n.String())
	return nil
}

// maxAmountLen is the width of the store's amount columns (orders.total VARCHAR(32)).
const maxAmountLen = 32

// valid accepts no amount, or a plain decimal: an optional minus sign, digits, and
// optionally a point followed by digits. strconv.ParseFloat alone would also let through
// NaN, Inf, hex floats and exponents, none of which is an amount of money.
func (a amount) valid() bool {
	if a == "" {
		return true
	}
	if len(a) > maxAmountLen {
		return false
	}
	s := strings.TrimPrefix(string(a), "-")
	intPart, frac, hasPoint := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasPoint || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jsonKind names the kind of a JSON value as encoding/json does in its type errors.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "value"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "value"
}

// maxIDLen bounds every id so that it fits the store's keys.
const maxIDLen = 191

func bad(field, reason string) error { return &adapters.BadRequestError{Field: field, Reason: reason} }

// ParseBody reads a generic-channel body into events. It never panics, whatever the bytes.
func ParseBody(body []byte) ([]adapters.Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, jsonError(err)
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return nil, notAnObject("null")
	}
	switch env.Event {
	case "":
		return nil, bad("event", "is required")
	case "message":
		m, err := env.Message.parse()
		if err != nil {
			return nil, err
		}
		return []adapters.Event{{Message: m}}, nil
	case "order":
		o, err := env.Order.parse()
		if err != nil {
			return nil, err
		}
		return []adapters.Event{{Order: o}}, nil
	default:
		return nil, bad("event", fmt.Sprintf("unknown event %q (want message or order)", truncate(env.Event, 40)))
	}
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return notAnObject(typeErr.Value)
		}
		return bad(typeErr.Field, "has the wrong type (got "+typeErr.Value+")")
	}
	return &adapters.BadRequestError{Reason: "malformed JSON: " + err.Error()}
}

// notAnObject answers a body that is valid JSON but not an object ([], null, "x", 1).
func notAnObject(kind string) error {
	return &adapters.BadRequestError{Reason: "the body must be a JSON object, not " + kind}
}

func requireID(field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return bad(field, "is required")
	case len(v) > maxIDLen:
		return bad(field, fmt.Sprintf("is longer than %d bytes", maxIDLen))
	}
	return nil
}

func (w *wireMessage) parse() (*adapters.InboundMessage, error) {
	if w == nil {
		return nil, bad("message", "is required for event message")
	}
	if err := requireID("message.id", w.ID); err != nil {
		return nil, err
	}
	if w.Customer == nil {
		return nil, bad("message.customer", "is required")
	}
	if err := requireID("message.customer.id", w.Customer.ID); err != nil {
		return nil, err
	}
	typ := w.Type
	if typ == "" {
		typ = "text"
	}
	if typ == "text" && strings.TrimSpace(w.Text) == "" {
		return nil, bad("message.text", "is required for a text message")
	}
	sentAt, err := optionalTime("message.sent_at", w.SentAt)
	if err != nil {
		return nil, err
	}
	m := &adapters.InboundMessage{
		ExternalID: w.ID,
		Customer:   adapters.Customer{ID: w.Customer.ID, Name: truncate(w.Customer.Name, maxIDLen)},
		Type:       truncate(typ, 16),
		Text:       w.Text,
		SentAt:     sentAt,
		OrderID:    truncate(w.OrderID, maxIDLen),
	}
	// A file message without media stays what it was before the extension: a type
	// label with no file.
	if typ != "text" && w.Media != nil {
		if m.Media, err = w.Media.parse(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// maxMediaURLLen bounds an image URL (signed CDN URLs run long, but not this long).
const maxMediaURLLen = 4096

// parse reads the media of an image message: an absolute http(s) URL to fetch.
func (w *wireMedia) parse() (*adapters.MediaRef, error) {
	if strings.TrimSpace(w.URL) == "" {
		return nil, bad("message.media.url", "is required when message.media is given")
	}
	if len(w.URL) > maxMediaURLLen {
		return nil, bad("message.media.url", fmt.Sprintf("is longer than %d bytes", maxMediaURLLen))
	}
	if !absoluteHTTP(w.URL) {
		return nil, bad("message.media.url", "must be an absolute http(s) URL")
	}
	return &adapters.MediaRef{ID: w.URL, MimeType: truncate(w.ContentType, 127), FileName: truncate(w.FileName, 255)}, nil
}

func (w *wireOrder) parse() (*adapters.OrderEvent, error) {
	if w == nil {
		return nil, bad("order", "is required for event order")
	}
	if err := requireID("order.id", w.ID); err != nil {
		return nil, err
	}
	if err := requireID("order.customer_id", w.CustomerID); err != nil {
		return nil, err
	}
	status := models.OrderStatus(w.Status)
	if w.Status == "" {
		return nil, bad("order.status", "is required")
	}
	if !status.Valid() {
		return nil, bad("order.status", fmt.Sprintf("unknown status %q", truncate(w.Status, 40)))
	}
	if w.UpdatedAt == "" {
		return nil, bad("order.updated_at", "is required (it orders the events of one order)")
	}
	updatedAt, err := optionalTime("order.updated_at", w.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if !w.Total.valid() {
		return nil, bad("order.total", "must be a decimal amount")
	}
	o := &adapters.OrderEvent{
		ExternalID: w.ID, CustomerID: w.CustomerID, Status: status,
		Total: string(w.Total), Currency: truncate(w.Currency, 8), Items: w.Items,
		Address: w.Address, UpdatedAt: updatedAt,
	}
	for i, it := range w.Items {
		if it.Quantity < 0 {
			return nil, bad(fmt.Sprintf("order.items[%d].quantity", i), "must not be negative")
		}
	}
	if w.Tracking != nil {
		if len(w.Tracking.Carrier) > 64 {
			return nil, bad("order.tracking.carrier", "is longer than 64 bytes")
		}
		if len(w.Tracking.Number) > 128 {
			return nil, bad("order.tracking.number", "is longer than 128 bytes")
		}
		o.Tracking = &adapters.Tracking{Carrier: w.Tracking.Carrier, Number: w.Tracking.Number}
	}
	if w.Refund != nil {
		r, err := w.Refund.parse()
		if err != nil {
			return nil, err
		}
		o.Refund = r
	}
	return o, nil
}

func (w *wireRefund) parse() (*adapters.Refund, error) {
	if err := requireID("order.refund.id", w.ID); err != nil {
		return nil, err
	}
	switch w.Type {
	case "refund_only", "return_refund", "dispute":
	default:
		return nil, bad("order.refund.type", "must be refund_only, return_refund or dispute")
	}
	switch w.Status {
	case "requested", "agreed", "rejected", "closed":
	default:
		return nil, bad("order.refund.status", "must be requested, agreed, rejected or closed")
	}
	if !w.Amount.valid() {
		return nil, bad("order.refund.amount", "must be a decimal amount")
	}
	deadline, err := optionalTime("order.refund.deadline_at", w.DeadlineAt)
	if err != nil {
		return nil, err
	}
	return &adapters.Refund{ExternalID: w.ID, Type: w.Type, Status: w.Status, Amount: string(w.Amount),
		Reason: w.Reason, DeadlineAt: deadline}, nil
}

func optionalTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, bad(field, "must be an RFC 3339 time, e.g. 2026-11-23T08:00:00Z")
	}
	return t.UTC(), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
