package worker

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// A buyer's file left pending without a task (its process died after the commit) is
// queued by the sweep, once however often the sweep runs; a fresh or finished one is not.
func TestSweepMediaQueuesEachPendingFileOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MySQL(t)
	opts := testenv.Redis(t)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	shop, err := db.CreateShop(ctx, "sweep")
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, status := range []models.MediaStatus{models.MediaPending, models.MediaReady, models.MediaFailed} {
		m := &models.Media{ShopID: shop.ID, Origin: models.MediaFromBuyer, Status: status}
		if err := db.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { _ = client.Close() })
	c := NewClient(client, 3)
	log := slog.New(slog.DiscardHandler)

	SweepMediaOnce(ctx, db, c, log, time.Now().UTC().Add(-time.Hour)) // nothing that old
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	if tasks, _ := inspector.ListPendingTasks(QueueDefault); len(tasks) != 0 {
		t.Fatalf("a fresh file was swept: %d tasks", len(tasks))
	}
	for range 2 {
		SweepMediaOnce(ctx, db, c, log, time.Now().UTC().Add(time.Minute))
	}
	tasks, err := inspector.ListPendingTasks(QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ID != "media-fetch:"+strconv.FormatUint(ids[0], 10) || tasks[0].Type != TypeFetchMedia || tasks[0].MaxRetry != 3 {
		t.Fatalf("queued %+v, want one fetch of the pending file %d", tasks, ids[0])
	}
}
