package logistics_test

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// benchParcels is how many parcels are in tracking while the sweep is measured.
const benchParcels = 10000

// seedParcels stores n shipped orders with a parcel each, in tracking, their due times
// spread over a day starting in two hours (as the polling schedule spreads them); it
// answers the parcels' ids.
func seedParcels(b *testing.B, h *harness, n int) []uint64 {
	b.Helper()
	cust := &models.Customer{ShopID: h.shop.ID, ChannelID: h.ch.ID, ExternalID: "bench-buyer"}
	if err := h.db.Gorm().Create(cust).Error; err != nil {
		b.Fatal(err)
	}
	now := h.clock.Now()
	orders := make([]models.Order, n)
	for i := range orders {
		orders[i] = models.Order{ShopID: h.shop.ID, ChannelID: h.ch.ID, CustomerID: cust.ID, ExternalID: fmt.Sprintf("B%d", i),
			Status: models.OrderShipped, TrackingCarrier: "SF", TrackingNumber: fmt.Sprintf("SF%010d", i), Flag: "none",
			NoteSync: models.NoteSyncNone, PlatformUpdatedAt: now}
	}
	if err := h.db.Gorm().CreateInBatches(orders, 1000).Error; err != nil {
		b.Fatal(err)
	}
	parcels := make([]models.Parcel, n)
	day := 24 * time.Hour
	for i, o := range orders {
		due := now.Add(2*time.Hour + time.Duration(i)*day/time.Duration(n))
		stuck := now.Add(48 * time.Hour)
		parcels[i] = models.Parcel{ShopID: h.shop.ID, OrderID: o.ID, ChannelID: h.ch.ID, CustomerID: cust.ID, Carrier: "SF",
			CarrierCode: "SF", Number: o.TrackingNumber, Provider: kuaidi100.Name, State: models.ParcelInTransit,
			StartedAt: now, SubscribedAt: &now, NextPollAt: &due, StuckAt: &stuck, DueAt: &due}
	}
	if err := h.db.Gorm().CreateInBatches(parcels, 1000).Error; err != nil {
		b.Fatal(err)
	}
	ids := make([]uint64, n)
	for i := range parcels {
		ids[i] = parcels[i].ID
	}
	return ids
}

// cpuTime is the process's user and system CPU time so far: what the sweep costs the
// worker process, without the database's and Redis's own work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countQueries counts the statements run on db while on is set.
func countQueries(g *gorm.DB, on *atomic.Bool, n *atomic.Int64) {
	count := func(*gorm.DB) {
		if on.Load() {
			n.Add(1)
		}
	}
	cb := g.Callback()
	_ = cb.Query().After("gorm:query").Register("bench:count", count)
	_ = cb.Update().After("gorm:update").Register("bench:count", count)
	_ = cb.Create().After("gorm:create").Register("bench:count", count)
	_ = cb.Raw().After("gorm:raw").Register("bench:count", count)
	_ = cb.Row().After("gorm:row").Register("bench:count", count)
}

// BenchmarkSweep measures one sweep of the scheduler with 10,000 parcels in tracking
// on MariaDB, each sub-benchmark with a given number of them due (queued to the real
// asynq on Redis): time, allocations and SQL statements per sweep.
func BenchmarkSweep(b *testing.B) {
	h := newHarness(b, testenv.MySQL(b))
	ids := seedParcels(b, h, benchParcels)
	var on atomic.Bool
	var queries atomic.Int64
	countQueries(h.db.Gorm(), &on, &queries)

	for _, due := range []int{0, 10, 100, 500} {
		b.Run(fmt.Sprintf("parcels=%d/due=%d", benchParcels, due), func(b *testing.B) {
			b.ReportAllocs()
			queries.Store(0)
			var cpu time.Duration
			queued := 0
			next := 0
			for b.Loop() {
				b.StopTimer()
				h.clock.Advance(time.Second)
				now := h.clock.Now()
				batch := make([]uint64, 0, due)
				for range due {
					batch = append(batch, ids[next%len(ids)])
					next++
				}
				if len(batch) > 0 {
					// Due now; the rest stay spread over the coming day.
					if err := h.db.Gorm().Exec("UPDATE parcels SET due_at = ? WHERE id IN ?", now.Add(-time.Second), batch).Error; err != nil {
						b.Fatal(err)
					}
				}
				on.Store(true)
				b.StartTimer()
				c0 := cpuTime()
				n, err := h.svc.Sweep(h.ctx)
				cpu += cpuTime() - c0
				b.StopTimer()
				on.Store(false)
				if err != nil || n != due {
					b.Fatalf("sweep queued %d (%v), want %d", n, err, due)
				}
				queued += n
				if queued > 20000 { // keep Redis small: the queued checks are not run here
					if _, err := h.inspect.DeleteAllPendingTasks("default"); err != nil {
						b.Fatal(err)
					}
					queued = 0
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(queries.Load())/float64(b.N), "queries/op")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkParcelCheck measures the check of one due, subscribed parcel: its safety-net
// query to 快递100 (an httptest server answering a 10-line history the parcel already
// has) and the transaction that finds nothing new.
func BenchmarkParcelCheck(b *testing.B) {
	h := newHarness(b, testenv.MySQL(b))
	h.connectBench(b)
	ids := seedParcels(b, h, 100)
	t0 := h.clock.Now()
	var items []kuaidi100test.Item
	for i := range 10 {
		items = append(items, kuaidi100test.Item{At: t0.Add(time.Duration(i) * time.Hour), Context: fmt.Sprintf("【转运中心 %d】快件已发出", i), Status: "在途"})
	}
	for i := range ids {
		h.k100.SetTrack(fmt.Sprintf("SF%010d", i), "shunfeng", "0", items...)
	}
	b.ReportAllocs()
	var cpu time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		id := ids[i%len(ids)]
		i++
		if err := h.db.Gorm().Exec("UPDATE parcels SET next_poll_at = ?, due_at = ? WHERE id = ?", h.clock.Now(), h.clock.Now(), id).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cpuTime()
		if err := h.svc.Check(h.ctx, id); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

func (h *harness) connectBench(b *testing.B) {
	raw := fmt.Sprintf(`{"customer":%q,"key":%q,"api_base_url":%q}`, h.k100.Customer, h.k100.Key, h.k100.URL)
	if _, _, err := h.svc.SaveAccount(h.ctx, h.shop.ID, kuaidi100.Name, []byte(raw)); err != nil {
		b.Fatal(err)
	}
}
