package composecheck

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/chatbridge/chatbridge/internal/config"
)

const (
	composePath    = "../../docker-compose.yml"
	dockerfilePath = "../../Dockerfile"
	ignorePath     = "../../.dockerignore"

	// A well-formed key (base64 of 32 bytes), as `openssl rand -base64 32` prints.
	testSecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
)

// The services running ChatBridge itself, and those of them that keep running.
var (
	chatbridgeServices = []string{"migrate", "serve", "worker"}
	longRunning        = []string{"mysql", "redis", "serve", "worker"}
)

// loadCompose loads docker-compose.yml as `docker compose` does, with schema validation,
// in an environment holding only env (not the caller's).
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	path, err := filepath.Abs(composePath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: raw}},
		Environment: env,
	})
}

func project(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, map[string]string{"CHATBRIDGE_SECRET_KEY": testSecretKey})
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q (has %v)", name, slices.Sorted(maps.Keys(p.Services)))
	}
	return s
}

// environ turns a service's environment into KEY=value lines, as the process sees it.
func environ(s types.ServiceConfig) []string {
	var out []string
	for k, v := range s.Environment {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	slices.Sort(out)
	return out
}

func TestComposeFileServices(t *testing.T) {
	p := project(t)
	for _, name := range []string{"mysql", "redis", "migrate", "serve", "worker"} {
		service(t, p, name)
	}

	// serve and worker start only on healthy stores and a migrated database.
	want := map[string]string{
		"mysql":   types.ServiceConditionHealthy,
		"redis":   types.ServiceConditionHealthy,
		"migrate": types.ServiceConditionCompletedSuccessfully,
	}
	for _, name := range []string{"serve", "worker"} {
		s := service(t, p, name)
		for dep, cond := range want {
			got, ok := s.DependsOn[dep]
			if !ok {
				t.Errorf("%s does not depend on %s", name, dep)
			} else if got.Condition != cond {
				t.Errorf("%s depends on %s with condition %q, want %q", name, dep, got.Condition, cond)
			}
		}
	}
	if got := service(t, p, "migrate").DependsOn["mysql"].Condition; got != types.ServiceConditionHealthy {
		t.Errorf("migrate waits for mysql with condition %q, want %q", got, types.ServiceConditionHealthy)
	}

	for _, name := range longRunning {
		s := service(t, p, name)
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no health check", name)
		}
		if s.Restart == "" || s.Restart == types.RestartPolicyNo {
			t.Errorf("%s: restart = %q, want a policy that restarts it", name, s.Restart)
		}
	}
	if r := service(t, p, "migrate").Restart; r != "" && r != types.RestartPolicyNo {
		t.Errorf("migrate is one-shot, but restart = %q", r)
	}

	serve := service(t, p, "serve")
	published := false
	for _, port := range serve.Ports {
		if port.Target == 8080 && port.Published == "8080" {
			published = true
		}
	}
	if !published {
		t.Errorf("serve does not publish 8080:8080 (ports %+v)", serve.Ports)
	}
	for _, name := range []string{"mysql", "redis", "migrate", "worker"} {
		if ports := service(t, p, name).Ports; len(ports) > 0 {
			t.Errorf("%s publishes ports %+v; only serve should", name, ports)
		}
	}
}

// The ChatBridge services run the image built from this repository, with the command
// as the binary's subcommand, and health checks that call the binary (the image has no
// shell) on the address the process listens on.
func TestComposeChatBridgeServices(t *testing.T) {
	p := project(t)
	commands := map[string]string{"migrate": "migrate", "serve": "serve", "worker": "worker"}
	for _, name := range chatbridgeServices {
		s := service(t, p, name)
		if s.Build == nil || s.Build.Context != filepath.Dir(mustAbs(t, composePath)) {
			t.Errorf("%s: build = %+v, want the repository root", name, s.Build)
		}
		if got := []string(s.Command); !slices.Equal(got, []string{commands[name]}) {
			t.Errorf("%s: command = %q, want [%q]", name, got, commands[name])
		}
	}
	checks := map[string]struct{ addr, path string }{
		"serve":  {":8080", "/readyz"},
		"worker": {":8081", "/healthz"},
	}
	for name, want := range checks {
		s := service(t, p, name)
		cfg, err := config.Load("", environ(s))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.HTTPAddr != want.addr {
			t.Errorf("%s listens on %q, want %q", name, cfg.HTTPAddr, want.addr)
		}
		test := []string(s.HealthCheck.Test)
		if len(test) != 5 || test[0] != "CMD" || test[1] != "/chatbridge" || test[2] != "healthcheck" || test[3] != "--url" {
			t.Fatalf("%s: health check %q, want [CMD /chatbridge healthcheck --url URL]", name, test)
		}
		u, err := url.Parse(test[4])
		if err != nil {
			t.Fatalf("%s: health check URL: %v", name, err)
		}
		_, port, _ := net.SplitHostPort(want.addr)
		if u.Hostname() != "127.0.0.1" || u.Port() != port || u.Path != want.path {
			t.Errorf("%s: health check URL %s, want http://127.0.0.1:%s%s", name, u, port, want.path)
		}
	}
}

var envName = regexp.MustCompile(`^CHATBRIDGE_[A-Z0-9_]+$`)

// Every CHATBRIDGE_* variable given to a service is a real setting, and the values pass
// ChatBridge's own validation: MySQL and Redis are the compose services, with the
// credentials the mysql service creates.
func TestComposeEnvironmentIsValidConfig(t *testing.T) {
	p := project(t)
	settings := map[string]bool{}
	for _, key := range config.Keys() {
		settings[config.EnvPrefix+strings.ToUpper(key)] = true
	}
	mysql := service(t, p, "mysql").Environment
	for _, name := range chatbridgeServices {
		s := service(t, p, name)
		for k := range s.Environment {
			if !envName.MatchString(k) || !settings[k] {
				t.Errorf("%s: %s is not a ChatBridge setting", name, k)
			}
		}
		for _, k := range []string{"CHATBRIDGE_MYSQL_DSN", "CHATBRIDGE_REDIS_ADDR", "CHATBRIDGE_SECRET_KEY"} {
			if v := s.Environment[k]; v == nil || *v == "" {
				t.Errorf("%s: %s is not set", name, k)
			}
		}
		if name == "migrate" {
			continue
		}
		cfg, err := config.Load("", environ(s))
		if err != nil {
			t.Fatalf("%s: its environment is not a valid configuration: %v", name, err)
		}
		if cfg.Embedded() {
			t.Errorf("%s runs on the embedded store", name)
		}
		if cfg.SecretKey != testSecretKey {
			t.Errorf("%s: secret key %q, want the one from CHATBRIDGE_SECRET_KEY", name, cfg.SecretKey)
		}
		if cfg.RedisAddr != "redis:6379" {
			t.Errorf("%s: redis address %q, want redis:6379", name, cfg.RedisAddr)
		}
		dsn, err := mysqldriver.ParseDSN(cfg.MySQLDSN)
		if err != nil {
			t.Fatalf("%s: CHATBRIDGE_MYSQL_DSN: %v", name, err)
		}
		if dsn.Addr != "mysql:3306" || dsn.DBName != deref(mysql["MYSQL_DATABASE"]) ||
			dsn.User != deref(mysql["MYSQL_USER"]) || dsn.Passwd != deref(mysql["MYSQL_PASSWORD"]) {
			t.Errorf("%s: CHATBRIDGE_MYSQL_DSN %q does not match the mysql service (%v)", name, cfg.MySQLDSN, environ(service(t, p, "mysql")))
		}
	}
	// The migration and the processes it prepares must use the same database.
	ref := environ(service(t, p, "serve"))
	for _, name := range []string{"migrate", "worker"} {
		got := slices.DeleteFunc(environ(service(t, p, name)), func(kv string) bool {
			return strings.HasPrefix(kv, "CHATBRIDGE_HTTP_ADDR=")
		})
		if !slices.Equal(got, ref) {
			t.Errorf("%s environment %q differs from serve's %q", name, got, ref)
		}
	}
}

// With local media storage, the worker stores what buyers send and serve shows it: both
// mount one volume at the media folder their configuration names.
func TestComposeServeAndWorkerShareMedia(t *testing.T) {
	p := project(t)
	var sources []string
	for _, name := range []string{"serve", "worker"} {
		s := service(t, p, name)
		cfg, err := config.Load("", environ(s))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MediaStorage != "local" {
			continue
		}
		found := ""
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Target == cfg.MediaFolder() {
				found = v.Source
			}
		}
		if found == "" {
			t.Fatalf("%s keeps media in %s, but mounts no volume there (volumes %+v)", name, cfg.MediaFolder(), s.Volumes)
		}
		sources = append(sources, found)
	}
	if len(sources) == 2 && sources[0] != sources[1] {
		t.Fatalf("serve and worker mount different media volumes: %v", sources)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestComposeNeedsSecretKey(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"unset": {},
		"empty": {"CHATBRIDGE_SECRET_KEY": ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadCompose(t, env)
			if err == nil {
				t.Fatal("docker-compose.yml loads without CHATBRIDGE_SECRET_KEY")
			}
			if !strings.Contains(err.Error(), "required variable CHATBRIDGE_SECRET_KEY") {
				t.Fatalf("error %q does not name CHATBRIDGE_SECRET_KEY as required", err)
			}
			t.Log(err)
		})
	}
}

// dockerfile returns the Dockerfile's instructions, continuation lines joined,
// comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

func instruction(line string) (string, string) {
	op, args, _ := strings.Cut(line, " ")
	return strings.ToUpper(op), strings.TrimSpace(args)
}

func TestDockerfile(t *testing.T) {
	lines := dockerfile(t)
	var stages [][]string
	for _, line := range lines {
		if op, _ := instruction(line); op == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], line)
		}
	}
	if len(stages) < 3 {
		t.Fatalf("Dockerfile has %d FROM stages, want at least 3 (web, Go, runtime)", len(stages))
	}

	builds := false
	for _, line := range lines {
		op, args := instruction(line)
		if op == "RUN" && strings.Contains(args, "go build") {
			if !strings.Contains(args, "CGO_ENABLED=0") || !strings.Contains(args, "./cmd/chatbridge") {
				t.Errorf("go build step %q: want CGO_ENABLED=0 and ./cmd/chatbridge", args)
			}
			builds = true
		}
	}
	if !builds {
		t.Error("Dockerfile has no RUN go build step")
	}

	final := stages[len(stages)-1]
	var entrypoint, cmd []string
	copied, exposed := false, false
	for _, line := range final {
		op, args := instruction(line)
		switch op {
		case "ENTRYPOINT":
			entrypoint = execForm(t, line, args)
		case "CMD":
			cmd = execForm(t, line, args)
		case "COPY":
			fields := strings.Fields(args)
			if len(fields) > 0 && fields[len(fields)-1] == "/chatbridge" {
				copied = true
			}
		case "EXPOSE":
			exposed = slices.Contains(strings.Fields(args), "8080")
		}
	}
	if !slices.Equal(entrypoint, []string{"/chatbridge"}) {
		t.Errorf("final ENTRYPOINT = %q, want [\"/chatbridge\"]", entrypoint)
	}
	if !copied {
		t.Error("the final stage does not COPY the binary to /chatbridge")
	}
	if !slices.Equal(cmd, []string{"all"}) {
		t.Errorf("final CMD = %q, want [\"all\"]", cmd)
	}
	if !exposed {
		t.Error("the final stage does not EXPOSE 8080")
	}
}

func execForm(t *testing.T, line, args string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		t.Errorf("%q: want the exec (JSON) form: %v", line, err)
	}
	return v
}

// The build context leaves out local state, secrets and installed packages.
func TestDockerignore(t *testing.T) {
	raw, err := os.ReadFile(ignorePath)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, strings.TrimSuffix(strings.TrimPrefix(line, "/"), "/"))
		}
	}
	for _, want := range []string{".git", ".env", "web/node_modules", "bin", "data", "configs/chatbridge.yaml"} {
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
}
