package channels

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

// botPlatform is a channel type with a secret token, like Telegram's: it checks the
// token against what its "platform" accepts and registers webhooks.
type botPlatform struct {
	mu          sync.Mutex
	validToken  string
	registered  []string
	registerErr error
}

func (p *botPlatform) Type() string { return "bot" }
func (p *botPlatform) ValidateConfig(raw json.RawMessage) error {
	var cfg struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil || cfg.Token == "" {
		return &adapters.BadRequestError{Field: "config.token", Reason: "is required"}
	}
	return nil
}
func (p *botPlatform) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, nil
}
func (p *botPlatform) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, nil
}
func (p *botPlatform) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{
		{Key: "token", Label: "Bot token", Secret: true, Required: true},
		{Key: "api_base_url", Label: "API base URL"},
	}
}
func (p *botPlatform) TestConnection(_ context.Context, ch adapters.Channel) error {
	var cfg struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(ch.Config, &cfg)
	if cfg.Token != p.validToken {
		return errors.New("Unauthorized: the bot token was rejected (401)")
	}
	return nil
}
func (p *botPlatform) RegisterWebhook(_ context.Context, _ adapters.Channel, url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registerErr != nil {
		return p.registerErr
	}
	p.registered = append(p.registered, url)
	return nil
}

func newService(t *testing.T, list ...adapters.Adapter) (*Service, uint64) {
	t.Helper()
	db := testenv.MySQL(t)
	box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	shop, err := db.CreateShop(context.Background(), "settings")
	if err != nil {
		t.Fatal(err)
	}
	return NewService(db, box, adapters.NewRegistry(list...), "https://cb.example.test"), shop.ID
}

func TestTypesAndAbilities(t *testing.T) {
	s, _ := newService(t, generic.New(nil), &botPlatform{})
	types := s.Types()
	if len(types) != 2 || types[0].Type != "bot" || types[1].Type != "generic" {
		t.Fatalf("types %+v", types)
	}
	bot, gen := types[0], types[1]
	if !bot.Described || len(bot.Fields) != 2 || !bot.Fields[0].Secret || !bot.Abilities.TestConnection || !bot.Abilities.RegisterWebhook ||
		bot.Abilities.SendsImages || !bot.Abilities.Chat {
		t.Fatalf("bot type %+v", bot)
	}
	if !gen.Described || gen.Fields[0].Key != "callback_url" || !gen.Abilities.SendsImages || !gen.Abilities.ReceivesImages ||
		!gen.Abilities.TestConnection || gen.Abilities.RegisterWebhook || gen.Abilities.Pull || !gen.Abilities.NoteWriteBack {
		t.Fatalf("generic type %+v", gen)
	}
}

// Secrets never leave masked; an update that leaves a secret empty keeps it, one that
// sets it replaces it; keys no field describes are kept and never shown.
func TestUpdateKeepsSecrets(t *testing.T) {
	ctx := context.Background()
	s, shopID := newService(t, &botPlatform{})
	created, err := s.Create(ctx, shopID, "bot", "Shop bot", json.RawMessage(`{"token":"123:SECRET","api_base_url":"http://127.0.0.1:9","proxy_password":"hidden"}`))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Channel.ID
	masked, err := s.Mask(created.Channel)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(masked)
	if strings.Contains(string(raw), "SECRET") || strings.Contains(string(raw), "hidden") ||
		string(masked.Config["api_base_url"]) != `"http://127.0.0.1:9"` || len(masked.SecretsSet) != 1 || masked.SecretsSet[0] != "token" {
		t.Fatalf("masked settings %s", raw)
	}

	name := "Renamed bot"
	if _, err := s.Update(ctx, shopID, id, Update{Name: &name, Config: map[string]json.RawMessage{
		"token": json.RawMessage(`""`), "api_base_url": json.RawMessage(`"http://127.0.0.1:10"`)}}); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]string
	_ = json.Unmarshal(ch.Config, &cfg)
	if cfg["token"] != "123:SECRET" || cfg["api_base_url"] != "http://127.0.0.1:10" || cfg["proxy_password"] != "hidden" || ch.Secret != created.Secret {
		t.Fatalf("after an update with the token left empty: %v (webhook secret kept: %v)", cfg, ch.Secret == created.Secret)
	}
	if m, _ := s.db.Channel(ctx, id); m.Name != name {
		t.Fatalf("name %q", m.Name)
	}

	if _, err := s.Update(ctx, shopID, id, Update{Config: map[string]json.RawMessage{"token": json.RawMessage(`"456:NEW"`)}}); err != nil {
		t.Fatal(err)
	}
	ch, _ = s.Load(ctx, id)
	_ = json.Unmarshal(ch.Config, &cfg)
	if cfg["token"] != "456:NEW" {
		t.Fatalf("the new token was not stored: %v", cfg)
	}

	blank := "  "
	if _, err := s.Update(ctx, shopID, id, Update{Name: &blank}); err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("a blank name: %v", err)
	}
	if _, err := s.Update(ctx, shopID+1, id, Update{Name: &name}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another shop's update: %v", err)
	}
}

func TestConnectionTest(t *testing.T) {
	ctx := context.Background()
	p := &botPlatform{validToken: "123:GOOD"}
	s, shopID := newService(t, p, generic.New(nil))
	bad, err := s.Create(ctx, shopID, "bot", "bad", json.RawMessage(`{"token":"123:BAD"}`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Test(ctx, shopID, bad.Channel.ID)
	if err != nil || res.OK || !strings.Contains(res.Error, "rejected (401)") || res.WebhookRegistered || len(p.registered) != 0 {
		t.Fatalf("a rejected token: %+v, %v (registered %v)", res, err, p.registered)
	}
	good, _ := s.Create(ctx, shopID, "bot", "good", json.RawMessage(`{"token":"123:GOOD"}`))
	res, err = s.Test(ctx, shopID, good.Channel.ID)
	if err != nil || !res.OK || !res.WebhookRegistered || len(p.registered) != 1 || p.registered[0] != good.WebhookURL || res.WebhookURL != good.WebhookURL {
		t.Fatalf("a good token: %+v, %v (registered %v)", res, err, p.registered)
	}
	p.registerErr = errors.New("Bad Request: bad webhook: HTTPS url must be provided for webhook")
	res, _ = s.Test(ctx, shopID, good.Channel.ID)
	if res.OK || !strings.Contains(res.Error, "HTTPS url must be provided") {
		t.Fatalf("a refused webhook: %+v", res)
	}
	if _, err := s.Test(ctx, shopID+1, good.Channel.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another shop's test: %v", err)
	}
}

// last_in_at is written at most once every HealthEvery per channel in a process.
func TestNoteInIsThrottled(t *testing.T) {
	ctx := context.Background()
	s, shopID := newService(t, generic.New(nil))
	a, _ := s.Create(ctx, shopID, "generic", "a", json.RawMessage(`{"callback_url":"http://127.0.0.1:9/a"}`))
	b, _ := s.Create(ctx, shopID, "generic", "b", json.RawMessage(`{"callback_url":"http://127.0.0.1:9/b"}`))
	now := time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	lastIn := func(id uint64) time.Time {
		m, err := s.db.Channel(ctx, id)
		if err != nil || m.LastInAt == nil {
			t.Fatalf("channel %d: last_in_at %v, %v", id, m.LastInAt, err)
		}
		return m.LastInAt.UTC()
	}
	start := now
	for range 100 { // a burst within one second
		if err := s.NoteIn(ctx, a.Channel.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Millisecond)
	}
	if got := lastIn(a.Channel.ID); !got.Equal(start) {
		t.Fatalf("after a burst last_in_at = %s, want the first write %s", got, start)
	}
	if err := s.NoteIn(ctx, b.Channel.ID); err != nil { // another channel has its own slot
		t.Fatal(err)
	}
	if got := lastIn(b.Channel.ID); !got.Equal(now) {
		t.Fatalf("channel b: %s, want %s", got, now)
	}
	now = start.Add(HealthEvery)
	_ = s.NoteIn(ctx, a.Channel.ID)
	if got := lastIn(a.Channel.ID); !got.Equal(now) {
		t.Fatalf("after %s last_in_at = %s, want %s", HealthEvery, got, now)
	}
}
