package loadtest_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/loadtest"
)

// The compose profile's proxy for real: nginx with deploy/nginx/chatbridge.conf (only
// its upstream addresses and listen port changed to this machine's) in front of two
// serve processes, one worker behind them. The load tool goes through nginx alone:
// webhooks, the agents' WebSockets (upgraded by nginx) and their replies, and every
// message reaches every agent. Skipped where nginx is not installed.
func TestLoadThroughNginxInFrontOfTwoServes(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			t.Skip("nginx is not installed")
		}
	}
	cfg := apptest.Config(t)
	serveA := apptest.Start(t, cfg, app.Roles{Serve: true})
	serveB := apptest.Start(t, cfg, app.Roles{Serve: true})
	apptest.Start(t, cfg, app.Roles{Work: true})
	proxy := startNginx(t, bin, serveA.URL, serveB.URL)

	o := loadtest.DefaultOptions()
	o.URL = proxy
	o.AdminPassword = apptest.AdminPassword
	// Many buyers, so that two first messages of one buyer rarely race: that contention
	// is the inbox's own subject (a webhook it cannot commit is answered 503 for the
	// platform to send again), not this test's.
	o.Channels, o.Buyers, o.Agents = 2, 100, 4
	o.Rate, o.Duration, o.Redeliver = 30, 3*time.Second, 0.1
	o.Drain = 30 * time.Second
	r, err := loadtest.Run(context.Background(), o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	loadtest.WriteSummary(&summary, r)
	t.Log("\n" + summary.String())
	wh, d, cb := r.Webhooks, r.Delivery, r.Callbacks
	if wh.Sent != 90 || wh.Accepted != wh.New || wh.Duplicate != wh.Redeliveries || wh.Wrong != 0 || wh.Status["200"] != wh.Sent {
		t.Errorf("webhooks through nginx: %d sent, %d accepted of %d new, %d duplicate of %d, %d wrong, status %v",
			wh.Sent, wh.Accepted, wh.New, wh.Duplicate, wh.Redeliveries, wh.Wrong, wh.Status)
	}
	if d.Expected != wh.Accepted || d.Seen != d.Expected || d.Missing != 0 || d.Repeats != 3*d.Seen {
		t.Errorf("WebSockets through nginx: %d of %d seen, %d missing, %d further sightings", d.Seen, d.Expected, d.Missing, d.Repeats)
	}
	if cb.Expected != r.Replies.Posted || cb.Seen != cb.Expected || r.Replies.Status["202"] != r.Replies.Posted {
		t.Errorf("replies through nginx: %d posted (status %v), %d of %d delivered", r.Replies.Posted, r.Replies.Status, cb.Seen, cb.Expected)
	}
	for name, inst := range map[string]*apptest.Instance{"serve A": serveA, "serve B": serveB} {
		if hooks := metric(t, inst, "chatbridge_webhooks_total", `outcome="accepted"`); hooks == 0 {
			t.Errorf("nginx sent %s no webhook", name)
		} else {
			t.Logf("%s accepted %v webhooks", name, hooks)
		}
	}
}

// startNginx runs nginx in the foreground with the repository's site config in front
// of the given instances, until the test ends, and returns its URL.
func startNginx(t *testing.T, bin string, upstreams ...string) string {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/nginx/chatbridge.conf")
	if err != nil {
		t.Fatal(err)
	}
	site := string(raw)
	for i, name := range []string{"serve", "serve-2"} {
		old := "server " + name + ":8080 "
		if !strings.Contains(site, old) {
			t.Fatalf("the site config has no upstream %q", old)
		}
		site = strings.Replace(site, old, "server "+strings.TrimPrefix(upstreams[i], "http://")+" ", 1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	site = strings.Replace(site, "listen 80;", "listen "+addr+";", 1)

	dir := t.TempDir()
	// One process in the foreground, so that killing it leaves no worker behind.
	main := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, site)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not answer /healthz: %v\n%s\n%s", err, out.String(), logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
