// Package adapters is the contract between ChatBridge's core and the platforms it
// bridges. Each platform lives in its own package below this one and implements Adapter;
// the binary registers them by channel type, so the core never imports a platform.
package adapters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// Channel is a connected platform account as an adapter sees it: decrypted.
type Channel struct {
	ID     uint64
	ShopID uint64
	Type   string
	// Secret verifies the platform's webhooks and signs what the generic channel sends.
	Secret string
	// Config is the channel's platform settings (credentials, callback URL...) as JSON.
	Config json.RawMessage
}

// Customer is a buyer as the platform names them.
type Customer struct {
	ID   string
	Name string
}

// InboundMessage is a buyer's message, in the form every platform is reduced to.
type InboundMessage struct {
	ExternalID string
	Customer   Customer
	Type       string
	Text       string
	SentAt     time.Time
	OrderID    string
	// Media is the file of an image (or other file) message, fetched by the core
	// through the adapter's MediaFetcher and stored; nil for text.
	Media *MediaRef
}

// Tracking is a parcel's carrier and number.
type Tracking struct {
	Carrier string
	Number  string
}

// Refund is an after-sale case attached to an order event.
type Refund struct {
	ExternalID string
	Type       string
	Status     string
	Amount     string
	Reason     string
	DeadlineAt time.Time
}

// OrderEvent is a platform's current view of an order.
type OrderEvent struct {
	ExternalID string
	CustomerID string
	Status     models.OrderStatus
	Total      string
	Currency   string
	Items      []models.OrderItem
	Address    *models.Address
	Tracking   *Tracking
	UpdatedAt  time.Time
	Refund     *Refund
}

// Event is one thing a webhook delivery tells: exactly one field is set.
type Event struct {
	Message *InboundMessage
	Order   *OrderEvent
	// Poll asks the core to pull from the platform (see Poller).
	Poll *PollRequest
}

// OutboundMessage is an agent's reply on its way to the buyer.
type OutboundMessage struct {
	ID             string // ChatBridge's message id: the idempotency key on the platform side
	ConversationID string
	CustomerID     string // the platform's buyer id
	Type           string
	Text           string
	CreatedAt      time.Time
	// Attachment is the file of an image reply (Type "image"); nil for text.
	Attachment *Attachment
}

// Attachment is a file an agent sends: its bytes, and the address where ChatBridge
// serves it for platforms that fetch by URL.
type Attachment struct {
	ContentType string
	FileName    string
	Data        []byte
	URL         string
}

// SendResult is what the platform answered to a delivered message.
type SendResult struct {
	RemoteID string
}

// OrderNote is a note and flag to write back onto a marketplace order, the way the
// packer sees it when printing the waybill. Flag is one of models.Flags; each adapter
// maps it to its platform's own flag values.
type OrderNote struct {
	OrderID string // the platform's order id
	Flag    string
	Note    string
}

// Adapter is one channel type: it checks and reads the platform's webhooks and sends
// replies back.
type Adapter interface {
	// Type is the channel type it serves, as in /webhooks/{type}/{channel_id}.
	Type() string
	// ValidateConfig checks a channel's platform settings when the channel is created.
	ValidateConfig(config json.RawMessage) error
	// ParseWebhook verifies a delivery (signature, freshness) and parses it. It answers
	// ErrUnauthorized for forgeries and replays and a *BadRequestError for bodies it
	// cannot read.
	ParseWebhook(ctx context.Context, ch Channel, r *http.Request, body []byte) ([]Event, error)
	// Send delivers a reply. A *PermanentError is not retried; a *RetryAfterError says
	// when the platform allows the next try; any other error is retried with backoff.
	Send(ctx context.Context, ch Channel, msg OutboundMessage) (SendResult, error)
}

// ErrUnauthorized marks a webhook whose signature or timestamp does not check out.
var ErrUnauthorized = errors.New("unauthorized")

// BadRequestError names what is wrong with a webhook body.
type BadRequestError struct {
	Field  string
	Reason string
}

func (e *BadRequestError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// PermanentError is a send failure that retrying cannot fix (a rejected credential,
// a buyer who blocked the shop).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError is a send failure with the platform's own hint of when to try again.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Registry maps channel types to their adapters. Build one at start-up.
type Registry struct {
	byType map[string]Adapter
}

// NewRegistry registers the given adapters; a type registered twice is a programming error.
func NewRegistry(list ...Adapter) *Registry {
	r := &Registry{byType: make(map[string]Adapter, len(list))}
	for _, a := range list {
		if _, dup := r.byType[a.Type()]; dup {
			panic("adapters: channel type registered twice: " + a.Type())
		}
		r.byType[a.Type()] = a
	}
	return r
}

// Lookup finds the adapter of a channel type.
func (r *Registry) Lookup(channelType string) (Adapter, bool) {
	a, ok := r.byType[channelType]
	return a, ok
}

// Types lists the registered channel types, sorted.
func (r *Registry) Types() []string {
	types := make([]string, 0, len(r.byType))
	for t := range r.byType {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}
