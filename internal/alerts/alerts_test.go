package alerts_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// One trigger raises one alert, however often it fires; its live event reaches its
// audience only; the first acknowledgement stops its repeats and is kept.
func TestRaiseOnceAnnounceToItsAudienceAcknowledgeOnce(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ropts := testenv.Redis(t)
		rdb := redis.NewClient(ropts)
		t.Cleanup(func() { _ = rdb.Close() })
		channel := realtime.ChannelName(ropts.DB)
		svc := alerts.NewService(db, realtime.NewPublisher(rdb, channel), slog.New(slog.DiscardHandler))
		shop, err := db.CreateShop(ctx, "alerts")
		if err != nil {
			t.Fatal(err)
		}
		hub := realtime.NewHub(8, slog.New(slog.DiscardHandler))
		packer := hub.Subscribe(shop.ID, realtime.Viewer{UserID: 1, Role: "packer"})
		agent := hub.Subscribe(shop.ID, realtime.Viewer{UserID: 2, Role: "agent"})
		relayCtx, stop := context.WithCancel(ctx)
		t.Cleanup(stop)
		ready := make(chan struct{})
		go func() { _ = realtime.Relay(relayCtx, rdb, channel, hub, ready) }()
		<-ready

		next := time.Now().UTC().Add(5 * time.Minute).Truncate(time.Millisecond)
		raise := func() (*models.Alert, bool) {
			a := &models.Alert{ShopID: shop.ID, Kind: "address_change", Audience: models.RolePacker,
				DedupKey: "order:1:address:v2", Summary: "订单 T1 改地址", Detail: models.JSON[json.RawMessage]{V: json.RawMessage(`{"before":"A","after":"B"}`)},
				NextNotifyAt: &next}
			var created bool
			err := db.Tx(ctx, func(tx *store.DB) error {
				var err error
				created, err = svc.Raise(ctx, tx, a)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return a, created
		}
		a, created := raise()
		if !created || a.ID == 0 || a.Status != models.AlertOpen {
			t.Fatalf("first raise: created %v, alert %+v", created, a)
		}
		again, created := raise()
		if created || again.ID != a.ID {
			t.Fatalf("a repeated trigger created %v (id %d, first %d); want the first alert back", created, again.ID, a.ID)
		}

		svc.Announce(ctx, shop.ID, a.ID)
		select {
		case ev := <-packer.Events():
			var v struct{ ID, Kind, Summary, Audience string }
			if err := json.Unmarshal(ev.Data, &v); err != nil || ev.Type != realtime.AlertCreated || v.Kind != "address_change" {
				t.Fatalf("the packer got %s %s (%v)", ev.Type, ev.Data, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the packer never got alert.created")
		}
		select {
		case ev := <-agent.Events():
			t.Fatalf("an agent got the packers' alert: %s", ev.Data)
		case <-time.After(100 * time.Millisecond):
		}

		// Due for a repeat only once its time has come; one push is recorded once.
		if due, _ := db.DueAlerts(ctx, next.Add(-time.Second), 10); len(due) != 0 {
			t.Fatalf("%d alerts due before their time", len(due))
		}
		due, err := db.DueAlerts(ctx, next, 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due alerts at their time: %d (%v)", len(due), err)
		}
		later := next.Add(5 * time.Minute)
		if ok, err := db.RecordAlertNotified(ctx, &due[0], &later); !ok || err != nil {
			t.Fatalf("record push: %v %v", ok, err)
		}
		if ok, _ := db.RecordAlertNotified(ctx, &due[0], &later); ok {
			t.Fatal("the same push was recorded twice (two workers would both send it)")
		}

		row, err := db.Alert(ctx, shop.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := &models.User{ID: 1, Role: models.RolePacker}
		acked, err := svc.Acknowledge(ctx, first, row)
		if err != nil || acked.Status != models.AlertAcknowledged || *acked.AcknowledgedBy != 1 || acked.NextNotifyAt != nil || acked.NotifyCount != 1 {
			t.Fatalf("acknowledge: %+v, %v", acked, err)
		}
		acked2, err := svc.Acknowledge(ctx, &models.User{ID: 9, Role: models.RolePacker}, row)
		if err != nil || *acked2.AcknowledgedBy != 1 {
			t.Fatalf("a second acknowledgement replaced the first: %+v, %v", acked2, err)
		}
		if due, _ := db.DueAlerts(ctx, later.Add(time.Hour), 10); len(due) != 0 {
			t.Fatal("an acknowledged alert is still due for repeats")
		}
	})
}

func TestVisible(t *testing.T) {
	agentID := uint64(7)
	forAgent := &models.Alert{Audience: models.RoleAgent, UserID: &agentID}
	forPackers := &models.Alert{Audience: models.RolePacker}
	cases := []struct {
		user  models.User
		alert *models.Alert
		want  bool
	}{
		{models.User{ID: 7, Role: models.RoleAgent}, forAgent, true},
		{models.User{ID: 8, Role: models.RoleAgent}, forAgent, false},
		{models.User{ID: 8, Role: models.RoleAgent}, forPackers, false},
		{models.User{ID: 3, Role: models.RolePacker}, forPackers, true},
		{models.User{ID: 3, Role: models.RolePacker}, forAgent, false},
		{models.User{ID: 4, Role: models.RoleSupervisor}, forAgent, true},
		{models.User{ID: 5, Role: models.RoleAdmin}, forPackers, true},
	}
	for _, c := range cases {
		if got := alerts.Visible(&c.user, c.alert); got != c.want {
			t.Errorf("Visible(%s %d, alert for %s/%v) = %v, want %v", c.user.Role, c.user.ID, c.alert.Audience, c.alert.UserID, got, c.want)
		}
	}
}
