package api

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/chatbridge/chatbridge/internal/metrics"
)

// Every route the server registers is described in docs/openapi.yaml, and nothing more.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	gin.SetMode(gin.TestMode)
	engine := New(Deps{Metrics: metrics.New()}).(*gin.Engine)
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range engine.Routes() {
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		served[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in docs/openapi.yaml", key)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("docs/openapi.yaml describes %s, which the server does not serve", key)
		}
	}
}
