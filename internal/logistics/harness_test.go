package logistics_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership/aftershiptest"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
	"github.com/chatbridge/chatbridge/worker"
)

// clock is the time the service sees; tests move it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type nopOutbox struct{}

func (nopOutbox) EnqueueSend(context.Context, uint64) error { return nil }

// harness is the logistics service on a real store, Redis and asynq queue, wired to the
// real inbox and alerts, with fakes of 快递100 and AfterShip and a callback server that
// passes their pushes to the service as the API does.
type harness struct {
	t       testing.TB
	ctx     context.Context
	db      *store.DB
	svc     *logistics.Service
	ib      *inbox.Service
	k100    *kuaidi100test.Server
	as      *aftershiptest.Server
	inspect *asynq.Inspector
	clock   *clock
	shop    *models.Shop
	ch      adapters.Channel
	agent   *models.User
	hook    *httptest.Server
}

func newHarness(t testing.TB, db *store.DB) *harness {
	t.Helper()
	ctx := context.Background()
	opts := testenv.Redis(t)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	aq := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { _ = aq.Close() })
	box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := realtime.NewPublisher(rdb, realtime.ChannelName(opts.DB))
	h := &harness{t: t, ctx: ctx, db: db, clock: &clock{t: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)},
		inspect: asynq.NewInspectorFromRedisClient(rdb)}
	h.hook = httptest.NewServer(http.HandlerFunc(h.serveHook))
	t.Cleanup(h.hook.Close)
	h.svc = logistics.NewService(logistics.Deps{
		DB: db, Box: box, Providers: []logistics.Provider{kuaidi100.New(http.DefaultClient), aftership.New(http.DefaultClient)},
		Alerts: alerts.NewService(db, pub, log), Settings: settings.NewService(db, 0), Queue: worker.NewClient(aq, 3),
		Pub: pub, BaseURL: h.hook.URL, Now: h.clock.Now, Log: log,
	})
	h.ib = inbox.NewService(inbox.Deps{DB: db, Pub: pub, Outbox: nopOutbox{}, Log: log, Watchers: []inbox.OrderWatcher{h.svc}})
	h.svc.SetStager(h.ib)

	if h.shop, err = db.CreateShop(ctx, "parcels"); err != nil {
		t.Fatal(err)
	}
	ch := &models.Channel{ShopID: h.shop.ID, Type: "generic", Name: "relay", ConfigEnc: []byte("-"), SecretEnc: []byte("-")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	h.ch = adapters.Channel{ID: ch.ID, ShopID: h.shop.ID, Type: "generic"}
	h.agent = &models.User{ShopID: &h.shop.ID, Username: "parcels-agent", PasswordHash: "-", Role: models.RoleAgent,
		Skills: "pre_sale,in_sale,after_sale", Status: models.UserOnline}
	if err := db.CreateUser(ctx, h.agent); err != nil {
		t.Fatal(err)
	}
	h.k100 = kuaidi100test.Start(t, "CUSTOMERxyz", "KEYabc")
	h.as = aftershiptest.Start(t, "as-key")
	return h
}

// serveHook is the push endpoint, answering as api/logistics.go does.
func (h *harness) serveHook(w http.ResponseWriter, r *http.Request) {
	var provider string
	var id uint64
	if _, err := parsePushPath(r.URL.Path, &provider, &id); err != nil {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	reply, err := h.svc.HandlePush(r.Context(), provider, id, r, body)
	var bad *adapters.BadRequestError
	switch {
	case err == nil:
		w.Header().Set("Content-Type", reply.ContentType)
		_, _ = w.Write(reply.Body)
	case errors.Is(err, store.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, adapters.ErrUnauthorized):
		http.Error(w, err.Error(), http.StatusUnauthorized)
	case errors.As(err, &bad):
		http.Error(w, bad.Error(), http.StatusBadRequest)
	default:
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	}
}

// parsePushPath reads /webhooks/logistics/{provider}/{id}.
func parsePushPath(path string, provider *string, id *uint64) (int, error) {
	const prefix = "/webhooks/logistics/"
	if len(path) <= len(prefix) || path[:len(prefix)] != prefix {
		return 0, errors.New("not a push path")
	}
	rest := path[len(prefix):]
	for i := range len(rest) {
		if rest[i] == '/' {
			*provider = rest[:i]
			n, err := strconv.ParseUint(rest[i+1:], 10, 64)
			*id = n
			return 2, err
		}
	}
	return 0, errors.New("not a push path")
}

// connect gives the shop an account with a provider (the fakes' credentials).
func (h *harness) connect(provider string) uint64 {
	h.t.Helper()
	cfg := map[string]string{"customer": h.k100.Customer, "key": h.k100.Key, "api_base_url": h.k100.URL}
	if provider == aftership.Name {
		cfg = map[string]string{"api_key": h.as.APIKey, "webhook_secret": "whsec", "api_base_url": h.as.URL}
	}
	raw, _ := json.Marshal(cfg)
	v, _, err := h.svc.SaveAccount(h.ctx, h.shop.ID, provider, raw)
	if err != nil {
		h.t.Fatal(err)
	}
	return v.Account.ID
}

// message stores a buyer's message, so the buyer has a conversation.
func (h *harness) message(buyer, id string) *models.Conversation {
	h.t.Helper()
	err := h.ib.Ingest(h.ctx, h.ch, adapters.Event{Message: &adapters.InboundMessage{ExternalID: id,
		Customer: adapters.Customer{ID: buyer, Name: buyer}, Type: "text", Text: "我的快递到哪了", SentAt: h.clock.Now()}})
	if err != nil {
		h.t.Fatal(err)
	}
	var conv models.Conversation
	if err := h.db.Gorm().Joins("JOIN customers cu ON cu.id = conversations.customer_id").
		Where("cu.external_id = ? AND conversations.channel_id = ?", buyer, h.ch.ID).Take(&conv).Error; err != nil {
		h.t.Fatal(err)
	}
	return &conv
}

// order stores a platform order event, updated at the clock's time plus skew.
func (h *harness) order(ext, buyer string, status models.OrderStatus, carrier, number string, skew time.Duration) {
	h.t.Helper()
	ev := &adapters.OrderEvent{ExternalID: ext, CustomerID: buyer, Status: status, Total: "99.00", Currency: "CNY",
		Address:   &models.Address{Name: "王", Phone: "13800000000", Region: "浙江 杭州", Detail: "文三路 99 号"},
		UpdatedAt: h.clock.Now().Add(skew)}
	if number != "" {
		ev.Tracking = &adapters.Tracking{Carrier: carrier, Number: number}
	}
	if err := h.ib.Ingest(h.ctx, h.ch, adapters.Event{Order: ev}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) orderRow(ext string) *models.Order {
	h.t.Helper()
	var o models.Order
	if err := h.db.Gorm().Where("channel_id = ? AND external_id = ?", h.ch.ID, ext).Take(&o).Error; err != nil {
		h.t.Fatal(err)
	}
	return &o
}

func (h *harness) parcel(number string) *models.Parcel {
	h.t.Helper()
	var p models.Parcel
	if err := h.db.Gorm().Where("shop_id = ? AND number = ?", h.shop.ID, number).Order("id DESC").Take(&p).Error; err != nil {
		h.t.Fatalf("parcel %s: %v", number, err)
	}
	return &p
}

func (h *harness) check(p *models.Parcel) error { return h.svc.Check(h.ctx, p.ID) }

func (h *harness) mustCheck(p *models.Parcel) {
	h.t.Helper()
	if err := h.check(p); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) events(p *models.Parcel) []models.ParcelEvent {
	h.t.Helper()
	evs, err := h.db.ParcelEvents(h.ctx, p.ID, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

func (h *harness) alertsOf(convID uint64, kind string) []store.AlertRow {
	h.t.Helper()
	rows, err := h.db.ListAlerts(h.ctx, store.AlertFilter{ShopID: h.shop.ID, ConversationID: convID, Kinds: []string{kind}})
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func (h *harness) convEvents(convID uint64, kind string) []map[string]any {
	h.t.Helper()
	evs, err := h.db.ConversationEvents(h.ctx, convID, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range evs {
		if e.Kind == kind {
			var data map[string]any
			_ = json.Unmarshal(e.Data.V, &data)
			out = append(out, data)
		}
	}
	return out
}

func (h *harness) conversation(id uint64) *store.ConversationRow {
	h.t.Helper()
	row, err := h.db.ConversationRow(h.ctx, h.shop.ID, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return row
}

// push makes the fake 快递100 push a number's history and checks its exact answer.
func (h *harness) push(number string) {
	h.t.Helper()
	status, body, err := h.k100.Push(number, "polling")
	if err != nil || status != http.StatusOK || string(body) != `{"result":true,"returnCode":"200","message":"成功"}` {
		h.t.Fatalf("push of %s answered %d %s %v", number, status, body, err)
	}
}

// pendingChecks lists the parcel checks waiting in the queue.
func (h *harness) pendingChecks() []string {
	h.t.Helper()
	tasks, err := h.inspect.ListPendingTasks(worker.QueueDefault, asynq.PageSize(1000))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		h.t.Fatal(err)
	}
	var ids []string
	for _, task := range tasks {
		if task.Type == worker.TypeParcelCheck {
			ids = append(ids, task.ID)
		}
	}
	return ids
}
