package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Abilities are what a channel type can do, as the channel settings page and the inbox
// show them. Each is read from the adapter: an optional interface it implements, or a
// trait it declares.
type Abilities struct {
	// Chat is false for marketplaces whose chat API is partner-only (orders only).
	Chat bool `json:"chat"`
	// SendsImages: agents can send image replies.
	SendsImages bool `json:"sends_images"`
	// ReceivesImages: buyers' files are fetched from the platform.
	ReceivesImages bool `json:"receives_images"`
	// ReplyWindowSeconds is how long after the buyer's last message a reply is allowed
	// (0: no limit); MaxRepliesInWindow caps the replies in it (0: no cap).
	ReplyWindowSeconds int64 `json:"reply_window_seconds"`
	MaxRepliesInWindow int   `json:"max_replies_in_window"`
	// Pull: ChatBridge pulls from the platform ("sync now"); PullEverySeconds > 0 when it
	// also does so on a timer.
	Pull             bool  `json:"pull"`
	PullEverySeconds int64 `json:"pull_every_seconds"`
	NoteWriteBack    bool  `json:"note_write_back"`
	AddressChange    bool  `json:"address_change"`
	// TestConnection: the credentials can be checked against the platform.
	TestConnection bool `json:"test_connection"`
	// RegisterWebhook: ChatBridge tells the platform its webhook URL itself (on test).
	RegisterWebhook bool `json:"register_webhook"`
	// URLVerification: the platform checks the webhook URL with a GET when it is saved.
	URLVerification bool `json:"url_verification"`
}

// AbilitiesOf reads a channel type's abilities from its adapter.
func AbilitiesOf(a adapters.Adapter) Abilities {
	var ab Abilities
	traits := adapters.Traits{}
	if tp, ok := a.(adapters.TraitsProvider); ok {
		traits = tp.Traits()
	}
	ab.Chat = !traits.NoChat
	ab.SendsImages = traits.SendsImages
	ab.ReplyWindowSeconds = int64(traits.ReplyWindow / time.Second)
	ab.MaxRepliesInWindow = traits.MaxRepliesInWindow
	_, ab.ReceivesImages = a.(adapters.MediaFetcher)
	_, ab.Pull = a.(adapters.Poller)
	if sp, ok := a.(adapters.ScheduledPoller); ok {
		ab.PullEverySeconds = int64(sp.PollEvery() / time.Second)
	}
	_, ab.NoteWriteBack = a.(adapters.NoteWriter)
	_, ab.AddressChange = a.(adapters.AddressUpdater)
	_, ab.TestConnection = a.(adapters.ConnectionTester)
	_, ab.RegisterWebhook = a.(adapters.WebhookRegistrar)
	_, ab.URLVerification = a.(adapters.URLVerifier)
	return ab
}

// TypeInfo is one registered channel type: the fields of its settings form and its
// abilities. Described is false for an adapter that lists no fields (the form then
// takes the config as JSON).
type TypeInfo struct {
	Type      string                 `json:"type"`
	Described bool                   `json:"described"`
	Fields    []adapters.ConfigField `json:"fields"`
	Abilities Abilities              `json:"abilities"`
}

// Types lists every registered channel type, sorted.
func (s *Service) Types() []TypeInfo {
	var out []TypeInfo
	for _, typ := range s.registry.Types() {
		a, _ := s.registry.Lookup(typ)
		info := TypeInfo{Type: typ, Fields: []adapters.ConfigField{}, Abilities: AbilitiesOf(a)}
		if d, ok := a.(adapters.ConfigDescriber); ok {
			info.Described, info.Fields = true, d.ConfigFields()
		}
		out = append(out, info)
	}
	return out
}

// Abilities answers the abilities of a channel type (zero for an unknown one).
func (s *Service) Abilities(typ string) Abilities {
	a, ok := s.registry.Lookup(typ)
	if !ok {
		return Abilities{}
	}
	return AbilitiesOf(a)
}

// secretKeys lists the config keys a channel type marks secret.
func (s *Service) secretKeys(typ string) map[string]bool {
	keys := map[string]bool{}
	a, _ := s.registry.Lookup(typ)
	if d, ok := a.(adapters.ConfigDescriber); ok {
		for _, f := range d.ConfigFields() {
			if f.Secret {
				keys[f.Key] = true
			}
		}
	}
	return keys
}

// Masked is a channel's settings as the browser may see them: the values of the
// described, non-secret fields, and which secret fields hold a value. Secrets, and keys
// no field describes (which might be credentials), are never included.
type Masked struct {
	Config     map[string]json.RawMessage `json:"config"`
	SecretsSet []string                   `json:"secrets_set"`
}

// Mask decrypts a channel's settings and keeps only what may be shown.
func (s *Service) Mask(m *models.Channel) (Masked, error) {
	out := Masked{Config: map[string]json.RawMessage{}, SecretsSet: []string{}}
	a, _ := s.registry.Lookup(m.Type)
	d, ok := a.(adapters.ConfigDescriber)
	if !ok {
		return out, nil
	}
	stored, err := s.storedConfig(m)
	if err != nil {
		return out, err
	}
	for _, f := range d.ConfigFields() {
		v, has := stored[f.Key]
		switch {
		case !has || isEmptyJSON(v):
		case f.Secret:
			out.SecretsSet = append(out.SecretsSet, f.Key)
		default:
			out.Config[f.Key] = v
		}
	}
	return out, nil
}

func (s *Service) storedConfig(m *models.Channel) (map[string]json.RawMessage, error) {
	raw, err := s.box.Open(m.ConfigEnc)
	if err != nil {
		return nil, fmt.Errorf("channels: config of channel %d: %w", m.ID, err)
	}
	stored := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, fmt.Errorf("channels: config of channel %d is not an object: %w", m.ID, err)
	}
	return stored, nil
}

func isEmptyJSON(v json.RawMessage) bool {
	t := strings.TrimSpace(string(v))
	return t == "" || t == "null" || t == `""`
}

// Update is a change of a channel's settings: a new name, and config keys to set. Keys
// left out keep their stored value, and so do secret fields sent empty (the browser
// never had them).
type Update struct {
	Name   *string
	Config map[string]json.RawMessage
}

// Update changes a channel of the shop (any shop when shopID is 0), validating the
// merged settings with the type's adapter.
func (s *Service) Update(ctx context.Context, shopID, id uint64, u Update) (*models.Channel, error) {
	m, err := s.db.Channel(ctx, id)
	if err != nil {
		return nil, err
	}
	if shopID != 0 && m.ShopID != shopID {
		return nil, fmt.Errorf("channels: channel %d: %w", id, store.ErrNotFound)
	}
	name := m.Name
	if u.Name != nil {
		name = strings.TrimSpace(*u.Name)
		if name == "" || len(name) > 191 {
			return nil, &models.InvalidError{Field: "name", Reason: "is required (at most 191 bytes)"}
		}
	}
	configEnc := m.ConfigEnc
	if u.Config != nil {
		if configEnc, err = s.mergedConfig(m, u.Config); err != nil {
			return nil, err
		}
	}
	if err := s.db.UpdateChannelSettings(ctx, id, name, configEnc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
	return s.db.Channel(ctx, id)
}

func (s *Service) mergedConfig(m *models.Channel, changes map[string]json.RawMessage) ([]byte, error) {
	adapter, ok := s.registry.Lookup(m.Type)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, m.Type)
	}
	stored, err := s.storedConfig(m)
	if err != nil {
		return nil, err
	}
	secret := s.secretKeys(m.Type)
	for k, v := range changes {
		if secret[k] && isEmptyJSON(v) {
			continue
		}
		stored[k] = v
	}
	merged, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("channels: encode config: %w", err)
	}
	if err := adapter.ValidateConfig(merged); err != nil {
		return nil, err
	}
	return s.box.Seal(merged), nil
}

// ErrNoConnectionTest answers a test of a channel type that can neither check its
// credentials nor register its webhook.
var ErrNoConnectionTest = errors.New("this channel type has no connection test")

// TestResult is the outcome of a connection test, in words for the settings page.
type TestResult struct {
	OK bool `json:"ok"`
	// Error is the platform's refusal (or the network's), as it said it.
	Error string `json:"error,omitempty"`
	// WebhookRegistered is set when ChatBridge told the platform its webhook URL.
	WebhookRegistered bool   `json:"webhook_registered"`
	WebhookURL        string `json:"webhook_url"`
}

// testTimeout bounds a connection test: the person is waiting for the answer.
const testTimeout = 20 * time.Second

// Test checks a channel's credentials against its platform (ConnectionTester) and, for
// platforms where that is an API call, registers the webhook URL (WebhookRegistrar).
func (s *Service) Test(ctx context.Context, shopID, id uint64) (*TestResult, error) {
	m, err := s.db.Channel(ctx, id)
	if err != nil {
		return nil, err
	}
	if shopID != 0 && m.ShopID != shopID {
		return nil, fmt.Errorf("channels: channel %d: %w", id, store.ErrNotFound)
	}
	adapter, ok := s.registry.Lookup(m.Type)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, m.Type)
	}
	tester, canTest := adapter.(adapters.ConnectionTester)
	registrar, canRegister := adapter.(adapters.WebhookRegistrar)
	if !canTest && !canRegister {
		return nil, ErrNoConnectionTest
	}
	ch, err := s.decrypt(m)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	res := &TestResult{WebhookURL: s.WebhookURL(m)}
	if canTest {
		if err := tester.TestConnection(ctx, ch); err != nil {
			res.Error = err.Error()
			return res, nil
		}
	}
	if canRegister {
		if err := registrar.RegisterWebhook(ctx, ch, res.WebhookURL); err != nil {
			res.Error = "registering the webhook URL failed: " + err.Error()
			return res, nil
		}
		res.WebhookRegistered = true
	}
	res.OK = true
	return res, nil
}
