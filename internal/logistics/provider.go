package logistics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// Provider is one tracking service (快递100, AfterShip). Each lives in its own package
// below this one and speaks its service's documented protocol; the Service calls them
// through this interface and never learns their wire formats.
type Provider interface {
	// Name is the provider's name in URLs and settings ("kuaidi100").
	Name() string
	// PrepareConfig checks an account's settings and fills in what ChatBridge generates
	// itself (a push signing salt). prev is the account's settings before this change
	// (nil for a new account): what it generated is kept, so subscriptions made before
	// still verify, and a secret left empty keeps its saved value. A wrong value answers
	// *models.InvalidError naming it.
	PrepareConfig(raw, prev json.RawMessage) (json.RawMessage, error)
	// PublicConfig is an account's settings without its secrets, for the settings page.
	PublicConfig(raw json.RawMessage) map[string]any
	// CarrierCode is the provider's code for a canonical carrier code (see Carriers);
	// ok is false when the provider cannot follow that carrier. An empty code with ok
	// true lets the provider detect the carrier from the number.
	CarrierCode(code string) (providerCode string, ok bool)
	// Subscribe asks the provider to push the parcel's updates to callbackURL. It
	// answers the provider's own id of the parcel, if it has one, or ErrNoPush.
	Subscribe(ctx context.Context, acct Account, p ParcelRef, callbackURL string) (ref string, err error)
	// Query reads the parcel's current state and history from the provider.
	Query(ctx context.Context, acct Account, p ParcelRef) (Snapshot, error)
	// ParsePush verifies a push the provider delivered (wrapping
	// adapters.ErrUnauthorized when it does not check out) and reads it (answering an
	// *adapters.BadRequestError naming the field it cannot read).
	ParsePush(acct Account, r *http.Request, body []byte) ([]Snapshot, error)
	// PushReply is the answer the provider expects once a push is stored.
	PushReply(duplicate bool) (contentType string, body []byte)
}

// Account is a shop's decrypted account with a provider.
type Account struct {
	ID       uint64
	ShopID   uint64
	Provider string
	Config   json.RawMessage
}

// ParcelRef is a parcel as a provider call needs it.
type ParcelRef struct {
	Number string
	// Carrier is the provider's carrier code; empty lets the provider detect it.
	Carrier string
	// Phone is the recipient's phone (SF requires it, or its last four digits).
	Phone string
	// Ref is the provider's own reference of the parcel, once it gave one (AfterShip's
	// tracking id, 快递100's detected company).
	Ref string
}

// Snapshot is what a provider knows of a parcel at one moment: its state and the whole
// history it has (providers re-send all of it; the store keeps each line once).
type Snapshot struct {
	Number string
	// Carrier is the provider's code of the carrier it follows the parcel with.
	Carrier string
	// Ref is the provider's own id of the parcel, when it has one.
	Ref string
	// State is the unified state; empty when the provider's code is unknown (the parcel
	// keeps its state, the events are still stored).
	State models.ParcelState
	// RawState is the provider's own code, kept for the logs.
	RawState string
	Events   []Event
	// Lost reports that the provider stopped pushing (快递100's abort): subscribe again.
	Lost bool
}

// Event is one line of a carrier's history.
type Event struct {
	At       time.Time
	Text     string
	Location string
	// Status is the provider's word for it; State its unified state, when known.
	Status string
	State  models.ParcelState
}

// ErrNoPush is answered by Subscribe for a provider (or account) that pushes nothing.
var ErrNoPush = errors.New("logistics: the provider pushes no updates")

// PermanentError is a provider failure that retrying cannot fix: rejected credentials,
// a carrier or number the provider refuses. The parcel is not retried until its next
// scheduled query.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }
