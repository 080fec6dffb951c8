package adapters

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// The optional abilities below are what a platform may offer beyond Adapter. The core
// checks for each by type assertion where it needs it, so an adapter implements only
// what its platform really has.

// Reply is a raw answer an adapter wants the platform to receive.
type Reply struct {
	ContentType string
	Body        []byte
}

// URLVerifier answers a platform's URL check, a GET on the webhook URL (WeCom's
// echostr, Meta's hub.challenge). A forged or wrong check answers ErrUnauthorized.
type URLVerifier interface {
	VerifyURL(ctx context.Context, ch Channel, r *http.Request) (Reply, error)
}

// Acknowledger shapes the 200 a platform expects once a delivery is stored, for
// platforms that read the answer (the default is ChatBridge's JSON status).
type Acknowledger interface {
	Ack(duplicate bool) Reply
}

// PollRequest in an Event asks the core to pull from the platform: the callback only
// said that something is waiting (WeCom customer service). Hint is what the callback
// gave to speed the pull up (WeCom's 10-minute sync token); it may be empty.
type PollRequest struct {
	Hint string
}

// PollResult is one page pulled from a platform.
type PollResult struct {
	Events []Event
	// Cursor is where the next pull starts; the core stores it durably after the page's
	// events are committed. Empty keeps the previous cursor.
	Cursor string
	// More reports that the platform holds more right now.
	More bool
}

// Poller pulls what a platform holds since cursor ("" the first time). The core runs
// one pull per channel at a time, stores the cursor after every page and calls again
// while More is set.
type Poller interface {
	Poll(ctx context.Context, ch Channel, cursor, hint string) (PollResult, error)
}

// ScheduledPoller is a Poller the core also calls on a timer, for platforms that push
// nothing (marketplace order increments, Taobao's message queue) or whose pushes can be
// lost.
type ScheduledPoller interface {
	Poller
	PollEvery() time.Duration
}

// NoteWriter writes a note and flag onto a marketplace order (旗帜备注), where the
// packer sees it when printing the waybill.
type NoteWriter interface {
	WriteNote(ctx context.Context, ch Channel, n OrderNote) error
}

// AddressChange is a new shipping address for a marketplace order.
type AddressChange struct {
	OrderID string // the platform's order id
	Address models.Address
}

// AddressUpdater changes an order's shipping address on the marketplace. Platforms
// allow it only before shipment; they answer a *PermanentError otherwise.
type AddressUpdater interface {
	UpdateAddress(ctx context.Context, ch Channel, c AddressChange) error
}

// OrderFetcher reads one order (with its refund, if any) from the marketplace.
type OrderFetcher interface {
	FetchOrder(ctx context.Context, ch Channel, orderID string) (*OrderEvent, error)
}

// ConnectionTester checks a channel's credentials against the platform (the
// "test connection" button of the channel settings).
type ConnectionTester interface {
	TestConnection(ctx context.Context, ch Channel) error
}

// MediaRef names a file a buyer sent, as the platform knows it.
type MediaRef struct {
	ID       string // the platform's media or file id, or a URL
	MimeType string
	FileName string
}

// Media is a file's content.
type Media struct {
	Body        io.ReadCloser
	ContentType string
	Size        int64 // -1 when unknown
}

// MediaFetcher downloads a file a buyer sent (InboundMessage.Media).
type MediaFetcher interface {
	FetchMedia(ctx context.Context, ch Channel, ref MediaRef) (Media, error)
}

// Traits are a platform's fixed rules that the inbox shows agents.
type Traits struct {
	// ReplyWindow is how long after the buyer's last message a free-form reply is
	// allowed (WhatsApp 24 h, WeCom customer service 48 h); 0 means no limit.
	ReplyWindow time.Duration
	// MaxRepliesInWindow caps the replies per buyer message (WeCom: 5); 0 means no cap.
	MaxRepliesInWindow int
	// SendsImages reports that agents can send images on the platform.
	SendsImages bool
	// NoChat marks a marketplace whose chat API is partner-only: orders and refunds
	// arrive, chats come through the generic channel's relay.
	NoChat bool
}

// TraitsProvider is implemented by adapters whose platform has such rules.
type TraitsProvider interface {
	Traits() Traits
}

// ThrottledError is work that must wait, not a failure: the platform (or ChatBridge's
// own shared limiter for it) allows the next call after After. The worker retries it
// then without counting an attempt, so a burst is queued, never dropped.
type ThrottledError struct {
	After time.Duration
	Err   error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("throttled for %s: %v", e.After, e.Err)
}
func (e *ThrottledError) Unwrap() error { return e.Err }

// Deps are the shared services a platform adapter is built with.
type Deps struct {
	// HTTP calls the platform; its timeout bounds every call.
	HTTP *http.Client
	// Tokens caches access tokens in Redis, shared by every process.
	Tokens TokenCache
	// Limiter holds platform rate limits in Redis, shared by every process.
	Limiter RateLimiter
	// Now is the clock (tests move it).
	Now func() time.Time
}

// TokenCache keeps one access token per key for every process. Token returns the
// cached token, or calls fetch once (whatever the number of processes asking at that
// moment) and caches what it returns for its lifetime minus a safety margin.
type TokenCache interface {
	Token(ctx context.Context, key string, fetch func(ctx context.Context) (token string, ttl time.Duration, err error)) (string, error)
	// Invalidate drops token if it is still the cached one (the platform rejected it).
	Invalidate(ctx context.Context, key, token string) error
}

// RateLimiter spends one call of a budget of limit calls per period under key. When
// the budget is spent it answers how long to wait, and spends nothing.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit int, per time.Duration) (wait time.Duration, err error)
}

// ConfigField describes one setting of a channel type, so the web can draw the form to
// connect such a channel.
type ConfigField struct {
	Key      string `json:"key"` // the JSON key in the channel's config
	Label    string `json:"label"`
	LabelZH  string `json:"label_zh"`
	Secret   bool   `json:"secret"` // a credential: a password field, never shown again
	Required bool   `json:"required"`
	Help     string `json:"help,omitempty"`
}

// ConfigDescriber lists a channel type's settings for the web's channel form.
type ConfigDescriber interface {
	ConfigFields() []ConfigField
}

// WebhookRegistrar tells the platform where to deliver (Telegram's setWebhook), for
// platforms where that is an API call rather than a field the shop fills in.
type WebhookRegistrar interface {
	RegisterWebhook(ctx context.Context, ch Channel, webhookURL string) error
}
