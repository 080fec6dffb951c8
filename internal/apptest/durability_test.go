package apptest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

	_ "github.com/go-sql-driver/mysql" // the test reads MySQL directly

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/config"
)

// durOutput collects a child process's stderr while the test reads it.
type durOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *durOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *durOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// durProcess is the real binary running as a child of the test.
type durProcess struct {
	cmd    *exec.Cmd
	stderr *durOutput
	exited chan struct{}
}

// durBuild compiles cmd/chatbridge from the module root into a temp folder.
func durBuild(t *testing.T) string {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(t.TempDir(), "chatbridge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/chatbridge")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func durFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// durStart runs `chatbridge all` on the test's MySQL database and Redis and waits until
// it is ready.
func durStart(t *testing.T, bin string, cfg config.Config, addr string) *durProcess {
	t.Helper()
	cmd := exec.Command(bin, "all")
	cmd.Dir = cfg.DataDir
	cmd.Env = append(os.Environ(),
		"CHATBRIDGE_MYSQL_DSN="+cfg.MySQLDSN,
		"CHATBRIDGE_REDIS_ADDR="+cfg.RedisAddr,
		"CHATBRIDGE_REDIS_DB="+strconv.Itoa(cfg.RedisDB),
		"CHATBRIDGE_HTTP_ADDR="+addr,
		"CHATBRIDGE_ADMIN_PASSWORD="+AdminPassword,
		"CHATBRIDGE_SECRET_KEY="+cfg.SecretKey,
		"CHATBRIDGE_DATA_DIR="+cfg.DataDir,
		"CHATBRIDGE_LOG_LEVEL=warn",
	)
	p := &durProcess{cmd: cmd, stderr: &durOutput{}, exited: make(chan struct{})}
	cmd.Stdout = io.Discard
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("the process exited during start-up:\n%s", p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the process was not ready within 30 s:\n%s", p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL to the process (no shutdown of any kind) and waits for it to go.
func (p *durProcess) kill(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill -9 %d: %v", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("process %d still running 10 s after SIGKILL", p.cmd.Process.Pid)
	}
}

func (p *durProcess) checkNoPanic(t *testing.T, which string) {
	t.Helper()
	if out := p.stderr.String(); strings.Contains(out, "panic:") {
		t.Errorf("the %s process panicked:\n%s", which, out)
	}
}

// durPlatform delivers webhooks the way a platform does and keeps the books: which ids
// got a 200 and which deliveries failed (to be sent again later).
type durPlatform struct {
	url, secret string
	client      *http.Client

	mu       sync.Mutex
	acked    map[string]bool // got a 200 at least once
	accepted map[string]int  // answers {"status":"accepted"}
	failed   map[string]bool // a delivery got no 200: the platform sends it again
	count    atomic.Int64    // distinct ids acknowledged
}

func newDurPlatform(url, channelID, secret string) *durPlatform {
	return &durPlatform{
		url: url + "/webhooks/generic/" + channelID, secret: secret,
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		}},
		acked: map[string]bool{}, accepted: map[string]int{}, failed: map[string]bool{},
	}
}

func durBody(id string) []byte {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "dur-"))
	return MessageBody(id, fmt.Sprintf("dur-buyer-%02d", n%50), fmt.Sprintf("Buyer %02d", n%50), "message "+id)
}

// deliver posts one delivery of the id and records the outcome; it reports a 200.
func (p *durPlatform) deliver(id string) bool { return p.send(id) != "" }

// send posts one delivery of the id, records the outcome and returns the status of a
// 200 answer ("accepted" or "duplicate"), or "" when there was none.
func (p *durPlatform) send(id string) string {
	body := durBody(id)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(generic.HeaderTimestamp, ts)
	req.Header.Set(generic.HeaderSignature, generic.Sign(p.secret, ts, body))
	status, answer := 0, ""
	resp, err := p.client.Do(req)
	if err == nil {
		raw, readErr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if readErr == nil {
			status = resp.StatusCode
			var a struct{ Status string }
			_ = json.Unmarshal(raw, &a)
			answer = a.Status
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if status != http.StatusOK {
		p.failed[id] = true
		return ""
	}
	if !p.acked[id] {
		p.acked[id] = true
		p.count.Add(1)
	}
	if answer == "accepted" {
		p.accepted[id]++
	}
	return answer
}

// A platform fires a burst of webhooks, each message delivered twice (some of the
// redeliveries at the same moment), at the real binary; the process is killed with
// SIGKILL mid-burst and started again on the same database while the platform keeps
// sending, then resends every delivery that got no 200. Every message that was ever
// acknowledged is stored, and no message is stored twice.
func TestDurabilityAcrossKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	started := time.Now()
	bin := durBuild(t)
	cfg := Config(t)
	addr := durFreeAddr(t)
	first := durStart(t, bin, cfg, addr)
	inst := &Instance{URL: "http://" + addr}
	shop := inst.NewShop(t, "dur", "http://127.0.0.1:9/unused")
	platform := newDurPlatform(inst.URL, shop.ChannelID, shop.Secret)

	const total, senders, killAfter = 2000, 16, 800
	ids := make(chan int)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for n := range ids {
				id := fmt.Sprintf("dur-%04d", n)
				var ok1, ok2 bool
				if n%3 == 0 { // both deliveries at once
					var pair sync.WaitGroup
					pair.Go(func() { ok1 = platform.deliver(id) })
					ok2 = platform.deliver(id)
					pair.Wait()
				} else {
					ok1 = platform.deliver(id)
					ok2 = platform.deliver(id)
				}
				if !ok1 || !ok2 {
					time.Sleep(20 * time.Millisecond) // the server is away: back off a little
				}
			}
		})
	}
	go func() {
		defer close(ids)
		for n := range total {
			ids <- n
		}
	}()

	deadline := time.Now().Add(30 * time.Second)
	for platform.count.Load() < killAfter {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages acknowledged within 30 s", platform.count.Load())
		}
		time.Sleep(time.Millisecond)
	}
	first.kill(t)
	killedAt, ackedAtKill := time.Now(), platform.count.Load()
	first.checkNoPanic(t, "killed")

	second := durStart(t, bin, cfg, addr) // the senders keep going meanwhile
	downtime := time.Since(killedAt)
	wg.Wait()

	platform.mu.Lock()
	var resend []string
	for id := range platform.failed {
		resend = append(resend, id)
	}
	platform.mu.Unlock()
	alreadyStored := 0 // a delivery that failed although its message was committed
	for _, id := range resend {
		answer := platform.send(id)
		for attempt := 1; answer == ""; attempt++ {
			if attempt == 20 {
				t.Fatalf("message %s not accepted after 20 redeliveries", id)
			}
			time.Sleep(100 * time.Millisecond)
			answer = platform.send(id)
		}
		if answer == "duplicate" {
			alreadyStored++
		}
	}
	second.checkNoPanic(t, "restarted")

	db, err := sql.Open("mysql", cfg.MySQLDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := durStoredCounts(t, db, shop.ChannelID)
	platform.mu.Lock()
	defer platform.mu.Unlock()
	for id := range platform.acked {
		if stored[id] != 1 {
			t.Errorf("message %s was acknowledged with 200 and is stored %d times", id, stored[id])
		}
	}
	for id, n := range platform.accepted {
		if n > 1 {
			t.Errorf("message %s was answered \"accepted\" %d times", id, n)
		}
	}
	var doubled []string
	rows, err := db.Query(`SELECT external_id FROM messages WHERE channel_id = ? GROUP BY external_id HAVING COUNT(*) > 1`, shop.ChannelID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		doubled = append(doubled, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(doubled) > 0 {
		t.Errorf("messages stored more than once: %v", doubled)
	}
	var rowCount, distinct, conversations int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT external_id) FROM messages WHERE channel_id = ?`, shop.ChannelID).
		Scan(&rowCount, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM conversations WHERE channel_id = ?`, shop.ChannelID).Scan(&conversations); err != nil {
		t.Fatal(err)
	}
	if rowCount != total || distinct != total || len(platform.acked) != total {
		t.Errorf("%d rows, %d distinct ids stored, %d ids acknowledged; want %d of each", rowCount, distinct, len(platform.acked), total)
	}
	if conversations != 50 {
		t.Errorf("%d conversations for 50 buyers, want one each", conversations)
	}
	t.Logf("%d ids acknowledged when killed, down %s; %d ids with a failed delivery resent (%d already stored); "+
		"%d stored once each; %s in all", ackedAtKill, downtime.Round(10*time.Millisecond), len(resend), alreadyStored,
		distinct, time.Since(started).Round(100*time.Millisecond))
}

// durStoredCounts counts the stored rows of each message id on the channel.
func durStoredCounts(t *testing.T, db *sql.DB, channelID string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT external_id, COUNT(*) FROM messages WHERE channel_id = ? GROUP BY external_id`, channelID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}
