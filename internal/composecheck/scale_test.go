package composecheck

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/chatbridge/chatbridge/internal/config"
)

const nginxConfPath = "../../deploy/nginx/chatbridge.conf"

// scaleProject loads docker-compose.yml as `docker compose --profile scale` does.
func scaleProject(t *testing.T) *types.Project {
	t.Helper()
	path, err := filepath.Abs(composePath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: raw}},
		Environment: map[string]string{"CHATBRIDGE_SECRET_KEY": testSecretKey},
	}, loader.WithProfiles([]string{"scale"}))
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with --profile scale: %v", err)
	}
	return p
}

var scaleServices = []string{"serve-2", "worker-2", "nginx"}

// Plain `docker compose up` runs one serve and one worker: the scale services are off.
func TestScaleProfileIsOffByDefault(t *testing.T) {
	p := project(t)
	for _, name := range scaleServices {
		if _, on := p.Services[name]; on {
			t.Errorf("%s runs without --profile scale", name)
		}
		if _, off := p.DisabledServices[name]; !off {
			t.Errorf("%s is not a service of the scale profile", name)
		}
	}
}

// With the profile: two serve and two worker processes, identical but for their names,
// on the one MySQL and Redis, sharing the media volume; nginx in front of both serves.
func TestScaleProfileTopology(t *testing.T) {
	p := scaleProject(t)
	pairs := map[string]string{"serve": "serve-2", "worker": "worker-2"}
	for first, second := range pairs {
		a, b := service(t, p, first), service(t, p, second)
		if !slices.Equal([]string(a.Command), []string(b.Command)) {
			t.Errorf("%s runs %q, %s runs %q", first, a.Command, second, b.Command)
		}
		if !slices.Equal(environ(a), environ(b)) {
			t.Errorf("%s and %s differ in environment:\n%q\n%q", first, second, environ(a), environ(b))
		}
		if !slices.Equal([]string(a.HealthCheck.Test), []string(b.HealthCheck.Test)) || b.Restart != a.Restart {
			t.Errorf("%s's health check or restart policy differs from %s's", second, first)
		}
		for dep, cond := range a.DependsOn {
			if b.DependsOn[dep].Condition != cond.Condition {
				t.Errorf("%s does not wait for %s as %s does", second, dep, first)
			}
		}
		if len(a.Volumes) != 1 || len(b.Volumes) != 1 || a.Volumes[0].Source != b.Volumes[0].Source || a.Volumes[0].Target != b.Volumes[0].Target {
			t.Errorf("%s and %s do not share the media volume: %+v / %+v", first, second, a.Volumes, b.Volumes)
		}
	}
	if ports := service(t, p, "serve-2").Ports; len(ports) != 0 {
		t.Errorf("serve-2 publishes %+v; it is reached through nginx", ports)
	}
	cfg, err := config.Load("", environ(service(t, p, "serve-2")))
	if err != nil || cfg.RedisAddr != "redis:6379" || cfg.Embedded() {
		t.Errorf("serve-2's configuration: %+v, %v", cfg, err)
	}

	nginx := service(t, p, "nginx")
	if !strings.HasPrefix(nginx.Image, "nginx:") {
		t.Errorf("nginx image %q", nginx.Image)
	}
	published := false
	for _, port := range nginx.Ports {
		published = published || port.Target == 80 && port.Published == "8000"
	}
	if !published {
		t.Errorf("nginx does not publish 8000:80 (ports %+v)", nginx.Ports)
	}
	conf, _ := filepath.Abs(nginxConfPath)
	mounted := false
	for _, v := range nginx.Volumes {
		mounted = mounted || v.Type == types.VolumeTypeBind && v.Source == conf && v.Target == "/etc/nginx/conf.d/default.conf" && v.ReadOnly
	}
	if !mounted {
		t.Errorf("nginx does not mount %s read-only as its default.conf (volumes %+v)", conf, nginx.Volumes)
	}
	for _, s := range servesOf(p) {
		if nginx.DependsOn[s].Condition != types.ServiceConditionHealthy {
			t.Errorf("nginx does not wait for %s to be healthy", s)
		}
	}
	if nginx.HealthCheck == nil || len(nginx.HealthCheck.Test) == 0 || nginx.Restart != types.RestartPolicyUnlessStopped {
		t.Error("nginx has no health check or restart policy")
	}
}

// servesOf names the services that run `chatbridge serve`.
func servesOf(p *types.Project) []string {
	var out []string
	for name, s := range p.Services {
		if slices.Equal([]string(s.Command), []string{"serve"}) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// nginx balances over exactly the serve services, passes WebSocket upgrades through,
// keeps the live socket open, takes uploads as large as the media limit, and keeps
// /metrics off the public side.
func TestNginxConfig(t *testing.T) {
	raw, err := os.ReadFile(nginxConfPath)
	if err != nil {
		t.Fatal(err)
	}
	conf := stripComments(string(raw))
	upstream := regexp.MustCompile(`(?s)upstream\s+(\w+)\s*\{(.*?)\}`).FindStringSubmatch(conf)
	if upstream == nil {
		t.Fatal("no upstream block")
	}
	var servers []string
	for _, m := range regexp.MustCompile(`server\s+([\w.-]+:\d+)`).FindAllStringSubmatch(upstream[2], -1) {
		servers = append(servers, m[1])
	}
	slices.Sort(servers)
	var want []string
	for _, s := range servesOf(scaleProject(t)) {
		want = append(want, s+":8080")
	}
	slices.Sort(want)
	if !slices.Equal(servers, want) {
		t.Errorf("upstream servers %q, want the serve services %q", servers, want)
	}
	for _, directive := range []string{
		"proxy_http_version 1.1;",
		"proxy_set_header Upgrade $http_upgrade;",
		"proxy_set_header Connection $connection_upgrade;",
		"proxy_set_header Host $host;",
		"map $http_upgrade $connection_upgrade",
		"default upgrade;",
	} {
		if !strings.Contains(conf, directive) {
			t.Errorf("nginx config lacks %q", directive)
		}
	}
	locations := regexp.MustCompile(`(?s)location\s+([=~^]*\s*[^\s{]+)\s*\{(.*?)\}`).FindAllStringSubmatch(conf, -1)
	found := map[string]string{}
	for _, l := range locations {
		found[strings.Join(strings.Fields(l[1]), " ")] = l[2]
	}
	for _, loc := range []string{"= /api/v1/ws", "/"} {
		body, ok := found[loc]
		if !ok {
			t.Errorf("no location %s", loc)
			continue
		}
		if !strings.Contains(body, "proxy_pass http://"+upstream[1]+";") {
			t.Errorf("location %s does not pass to the upstream %s", loc, upstream[1])
		}
	}
	if ws := found["= /api/v1/ws"]; !strings.Contains(ws, "proxy_read_timeout 1h;") || !strings.Contains(ws, "proxy_buffering off;") {
		t.Errorf("the WebSocket location does not keep the socket open unbuffered: %s", ws)
	}
	if m := found["= /metrics"]; !strings.Contains(m, "return 404;") {
		t.Error("/metrics is reachable through the proxy")
	}
	size := regexp.MustCompile(`client_max_body_size\s+(\d+)m;`).FindStringSubmatch(conf)
	if size == nil {
		t.Fatal("no client_max_body_size in megabytes")
	}
	if mb := atoi(size[1]); int64(mb)<<20 < config.Default().MediaMaxBytes {
		t.Errorf("client_max_body_size %sm is below the default media limit of %d bytes", size[1], config.Default().MediaMaxBytes)
	}
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
