package apptest

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/config"
)

// process is the real binary running as a child process.
type process struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	url    string
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chatbridge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/chatbridge")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startProcess(t *testing.T, bin string, cfg config.Config, addr string) *process {
	t.Helper()
	cmd := exec.Command(bin, "all")
	cmd.Env = append(os.Environ(),
		"CHATBRIDGE_MYSQL_DSN="+cfg.MySQLDSN, "CHATBRIDGE_REDIS_ADDR="+cfg.RedisAddr,
		"CHATBRIDGE_REDIS_DB="+strconv.Itoa(cfg.RedisDB), "CHATBRIDGE_HTTP_ADDR="+addr,
		"CHATBRIDGE_SECRET_KEY="+cfg.SecretKey, "CHATBRIDGE_ADMIN_PASSWORD="+AdminPassword,
		"CHATBRIDGE_DATA_DIR="+cfg.DataDir, "CHATBRIDGE_LOG_LEVEL=warn")
	p := &process{cmd: cmd, stderr: &lockedBuffer{}, url: "http://" + addr}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	Eventually(t, 30*time.Second, "the process to serve", func() bool {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// TestNoAcceptedMessageIsLostOrDoubledAcrossKill9 sends a burst of webhooks with
// redeliveries, kills the process with SIGKILL in the middle, restarts it, and lets the
// "platform" resend whatever was not acknowledged. Every message acknowledged with 200
// must be stored, and none twice.
func TestNoAcceptedMessageIsLostOrDoubledAcrossKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	bin := buildBinary(t)
	cfg := Config(t)
	addr := freeAddr(t)
	proc := startProcess(t, bin, cfg, addr)
	inst := &Instance{URL: proc.url}
	shop := inst.NewShop(t, "crash", "http://127.0.0.1:9/unused")

	const total, senders = 1500, 12
	var (
		acked    sync.Map // message id → true once a 200 came back
		ackCount atomic.Int64
	)
	send := func(id string) bool {
		body := MessageBody(id, fmt.Sprintf("buyer-%d", len(id)%50+int(id[len(id)-1])%7), "买家", "消息 "+id)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", proc.url+"/webhooks/generic/"+shop.ChannelID, strings.NewReader(string(body)))
		req.Header.Set("X-ChatBridge-Timestamp", ts)
		req.Header.Set("X-ChatBridge-Signature", generic.Sign(shop.Secret, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			if _, loaded := acked.LoadOrStore(id, true); !loaded {
				ackCount.Add(1)
			}
			return true
		}
		return false
	}
	ids := make(chan string)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				send(id)
				send(id) // the platform's redelivery
			}
		}()
	}
	go func() {
		defer close(ids)
		for i := range total {
			ids <- fmt.Sprintf("crash-%05d", i)
		}
	}()
	Eventually(t, 60*time.Second, "a third of the burst to be acknowledged", func() bool { return ackCount.Load() >= total/3 })
	if err := proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = proc.cmd.Wait()
	ackedAtKill := ackCount.Load()
	wg.Wait() // the rest of the burst meets a dead server
	if strings.Contains(proc.stderr.String(), "panic:") {
		t.Fatalf("the process panicked:\n%s", proc.stderr.String())
	}

	proc = startProcess(t, bin, cfg, addr)
	// The platform redelivers every message it has no 200 for.
	for i := range total {
		id := fmt.Sprintf("crash-%05d", i)
		if _, ok := acked.Load(id); !ok {
			for attempt := 0; !send(id); attempt++ {
				if attempt > 20 {
					t.Fatalf("message %s never accepted after the restart", id)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	send("crash-00000") // and one more duplicate of an old one

	db, err := sql.Open("mysql", cfg.MySQLDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT external_id) FROM messages WHERE external_id LIKE 'crash-%'`).Scan(&stored, &distinct); err != nil {
		t.Fatal(err)
	}
	if stored != total || distinct != total {
		t.Fatalf("stored %d rows for %d distinct ids, want %d of each", stored, distinct, total)
	}
	t.Logf("%d acknowledged before kill -9 (mid-burst), all %d stored exactly once after restart and redelivery", ackedAtKill, total)
	if strings.Contains(proc.stderr.String(), "panic:") {
		t.Fatalf("the restarted process panicked:\n%s", proc.stderr.String())
	}
}
