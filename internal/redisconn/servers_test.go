package redisconn_test

// These tests start redis-server processes of their own (a primary with a replica and
// a sentinel; a one-node cluster) on free loopback ports, and run the project's Redis
// users over the client redisconn builds: asynq queueing and running a task, live-event
// pub/sub, a lock. They are skipped where no redis-server binary is installed.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/redisconn"
	"github.com/chatbridge/chatbridge/internal/redislock"
)

func redisServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed")
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs redis-server with args until the test ends and waits until it answers.
func start(t *testing.T, bin string, port int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	waitUntil(t, 10*time.Second, "redis-server on "+addr, func() bool {
		return c.Ping(context.Background()).Err() == nil
	})
	return addr
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func plainServer(t *testing.T, bin string, extra ...string) (string, int) {
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extra...)
	return start(t, bin, port, args...), port
}

// exercise runs what ChatBridge does with Redis over rdb: a task queued with asynq's
// client and run by its server, an event published and relayed to a hub subscriber,
// and a lock taken and refused while held.
func exercise(t *testing.T, rdb redis.UniversalClient, label string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var ran atomic.Int64
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: 2, Queues: map[string]int{"outbound": 1},
		LogLevel: asynq.ErrorLevel, DelayedTaskCheckInterval: 100 * time.Millisecond})
	mux := asynq.NewServeMux()
	mux.HandleFunc("test:ping", func(context.Context, *asynq.Task) error { ran.Add(1); return nil })
	if err := srv.Start(mux); err != nil {
		t.Fatalf("%s: asynq server: %v", label, err)
	}
	defer srv.Shutdown()
	client := asynq.NewClientFromRedisClient(rdb)
	id := fmt.Sprintf("%s-%d", label, time.Now().UnixNano())
	if _, err := client.EnqueueContext(ctx, asynq.NewTask("test:ping", nil, asynq.TaskID(id), asynq.Queue("outbound"))); err != nil {
		t.Fatalf("%s: enqueue: %v", label, err)
	}
	if _, err := client.EnqueueContext(ctx, asynq.NewTask("test:ping", nil, asynq.TaskID(id), asynq.Queue("outbound"))); !errors.Is(err, asynq.ErrTaskIDConflict) {
		t.Fatalf("%s: a second task with the same id: %v, want a conflict", label, err)
	}
	waitUntil(t, 15*time.Second, label+": the task run", func() bool { return ran.Load() == 1 })
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetQueueInfo("outbound")
	if err != nil || info.ProcessedTotal < 1 {
		t.Fatalf("%s: queue info %+v, %v", label, info, err)
	}

	hub := realtime.NewHub(8, nil)
	sub := hub.Subscribe(1, realtime.Viewer{})
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	ready := make(chan struct{})
	go func() { _ = realtime.Relay(relayCtx, rdb, realtime.ChannelName(0), hub, ready) }()
	<-ready
	ev, err := realtime.NewEvent(1, realtime.MessageCreated, time.Now(), map[string]string{"id": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := realtime.NewPublisher(rdb, realtime.ChannelName(0)).Publish(ctx, ev); err != nil {
		t.Fatalf("%s: publish: %v", label, err)
	}
	select {
	case got := <-sub.Events():
		if got.Type != realtime.MessageCreated {
			t.Fatalf("%s: relayed %+v", label, got)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the published event did not reach the hub", label)
	}

	locks := redislock.New(rdb)
	unlock, ok, err := locks.TryLock(ctx, "poll:"+id, time.Minute)
	if err != nil || !ok {
		t.Fatalf("%s: lock: %v %v", label, ok, err)
	}
	if _, again, err := locks.TryLock(ctx, "poll:"+id, time.Minute); err != nil || again {
		t.Fatalf("%s: a held lock was taken again (%v, %v)", label, again, err)
	}
	unlock()
}

// Through Sentinel: the client finds the primary by asking the sentinel, and after a
// failover (the replica promoted) it follows to the new primary without being told.
func TestSentinelPrimaryAndFailover(t *testing.T) {
	bin := redisServer(t)
	primary, primaryPort := plainServer(t, bin)
	replica, replicaPort := plainServer(t, bin, "--replicaof", "127.0.0.1", strconv.Itoa(primaryPort))

	sentinelPort := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("port %d\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 10000\n", sentinelPort, primaryPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel := start(t, bin, sentinelPort, conf, "--sentinel")
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinel})
	defer sc.Close()

	rdb := redisconn.New(redisconn.Settings{SentinelAddrs: []string{sentinel}, MasterName: "mymaster"})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "who", "before", 0).Err(); err != nil {
		t.Fatalf("write through sentinel: %v", err)
	}
	exercise(t, rdb, "sentinel")
	if port := serverPort(t, rdb); port != primaryPort {
		t.Fatalf("the client talks to port %d, want the primary's %d (%s)", port, primaryPort, primary)
	}

	// The sentinel learns of the replica from the primary (every few seconds), then is
	// asked to fail over to it.
	waitUntil(t, 30*time.Second, "the sentinel to know the replica", func() bool {
		rs, err := sc.Replicas(ctx, "mymaster").Result()
		return err == nil && len(rs) == 1 && !strings.Contains(fmt.Sprint(rs), "s_down")
	})
	waitUntil(t, 30*time.Second, "the replica in sync", func() bool {
		v, err := redis.NewClient(&redis.Options{Addr: replica}).Get(ctx, "who").Result()
		return err == nil && v == "before"
	})
	if err := sc.Failover(ctx, "mymaster").Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	waitUntil(t, 30*time.Second, "the replica promoted", func() bool {
		addr, err := sc.GetMasterAddrByName(ctx, "mymaster").Result()
		return err == nil && addr[1] == strconv.Itoa(replicaPort)
	})
	waitUntil(t, 30*time.Second, "the client on the new primary", func() bool {
		return rdb.Set(ctx, "who", "after", 0).Err() == nil && serverPort(t, rdb) == replicaPort
	})
	if v, err := rdb.Get(ctx, "who").Result(); err != nil || v != "after" {
		t.Fatalf("read after failover: %q %v", v, err)
	}
	exercise(t, rdb, "sentinel-after-failover")
}

// serverPort asks the server behind the client which port it listens on.
func serverPort(t *testing.T, rdb redis.UniversalClient) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "server").Result()
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "tcp_port:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// On a Redis Cluster (one node holding every slot: multi-key commands still must keep
// to one slot, as on a larger cluster), asynq, pub/sub and the locks work through the
// cluster client.
func TestClusterClient(t *testing.T) {
	bin := redisServer(t)
	dir := t.TempDir()
	node, _ := plainServer(t, bin, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"))
	admin := redis.NewClient(&redis.Options{Addr: node})
	defer admin.Close()
	ctx := context.Background()
	if err := admin.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("assign slots: %v", err)
	}
	waitUntil(t, 15*time.Second, "cluster_state:ok", func() bool {
		info, err := admin.ClusterInfo(ctx).Result()
		return err == nil && strings.Contains(info, "cluster_state:ok")
	})
	rdb := redisconn.New(redisconn.Settings{ClusterAddrs: []string{node}})
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("client %T, want a cluster client", rdb)
	}
	exercise(t, rdb, "cluster")
}
