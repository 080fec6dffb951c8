package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

const testIndex = `<!doctype html><html><body><div id="app"></div></body></html>`

func builtApp() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte(testIndex)},
		"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/index-abc123.js":  {Data: []byte(`console.log("app")`)},
		"assets/index-abc123.css": {Data: []byte(`body{margin:0}`)},
		".gitkeep":                {Data: nil},
	}
}

func serve(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandlerServesFiles(t *testing.T) {
	h := newHandler(builtApp())

	tests := []struct {
		name      string
		target    string
		wantBody  string
		wantType  string
		wantCache string
	}{
		{"root is the app", "/", testIndex, "text/html", revalidateCache},
		{"index by name", "/index.html", testIndex, "text/html", revalidateCache},
		{"script asset", "/assets/index-abc123.js", `console.log("app")`, "javascript", immutableCache},
		{"style asset", "/assets/index-abc123.css", `body{margin:0}`, "text/css", immutableCache},
		{"other file", "/favicon.svg", "<svg", "image/svg+xml", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, h, http.MethodGet, tc.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("body = %q, want it to contain %q", rec.Body.String(), tc.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, tc.wantType) {
				t.Errorf("Content-Type = %q, want it to contain %q", ct, tc.wantType)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != tc.wantCache {
				t.Errorf("Cache-Control = %q, want %q", cc, tc.wantCache)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

func TestHandlerFallsBackToIndexForAppRoutes(t *testing.T) {
	h := newHandler(builtApp())
	for _, target := range []string{"/login", "/c/42", "/c/conv_01HZX", "/some/deep/route/", "/c/42?tab=orders"} {
		t.Run(target, func(t *testing.T) {
			rec := serve(t, h, http.MethodGet, target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if rec.Body.String() != testIndex {
				t.Errorf("body = %q, want index.html", rec.Body.String())
			}
			if cc := rec.Header().Get("Cache-Control"); cc != revalidateCache {
				t.Errorf("Cache-Control = %q, want %q", cc, revalidateCache)
			}
		})
	}
}

func TestHandlerNotFound(t *testing.T) {
	h := newHandler(builtApp())
	for _, target := range []string{
		"/missing.js",
		"/assets/gone-123.js",
		"/assets/no-extension",
		"/assets",
		"/api/v1/nope",
		"/webhooks/unknown",
		"/.gitkeep",
		"/robots.txt",
	} {
		t.Run(target, func(t *testing.T) {
			rec := serve(t, h, http.MethodGet, target)
			if rec.Code != http.StatusNotFound {
				t.Fatalf("status = %d, want 404", rec.Code)
			}
			if strings.Contains(rec.Body.String(), testIndex) {
				t.Errorf("404 answered with the app")
			}
			if cc := rec.Header().Get("Cache-Control"); cc == immutableCache {
				t.Errorf("404 must not be cached as immutable")
			}
		})
	}
}

func TestHandlerPathTraversalStaysInside(t *testing.T) {
	h := newHandler(builtApp())
	rec := serve(t, h, http.MethodGet, "/assets/../index.html")
	if rec.Code != http.StatusOK || rec.Body.String() != testIndex {
		t.Fatalf("got %d %q, want index.html", rec.Code, rec.Body.String())
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.Path = "/../../etc/passwd"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound && rec.Body.String() != testIndex {
		t.Fatalf("traversal answered %d %q", rec.Code, rec.Body.String())
	}
}

func TestHandlerMethods(t *testing.T) {
	h := newHandler(builtApp())

	rec := serve(t, h, http.MethodHead, "/assets/index-abc123.js")
	if rec.Code != http.StatusOK {
		t.Fatalf("HEAD status = %d, want 200", rec.Code)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("HEAD wrote a body of %d bytes", rec.Body.Len())
	}

	rec = serve(t, h, http.MethodPost, "/c/42")
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST status = %d, want 405", rec.Code)
	}
	if allow := rec.Header().Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("Allow = %q", allow)
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"empty":        fstest.MapFS{},
		"only gitkeep": fstest.MapFS{".gitkeep": {Data: nil}},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHandler(fsys)
			for _, target := range []string{"/", "/c/42", "/assets/index-abc123.js"} {
				rec := serve(t, h, http.MethodGet, target)
				if rec.Code != http.StatusServiceUnavailable {
					t.Fatalf("%s: status = %d, want 503", target, rec.Code)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type = %q, want text/html", target, ct)
				}
				body := rec.Body.String()
				if !strings.Contains(body, "The web app is not built yet") || !strings.Contains(body, "make web") {
					t.Errorf("%s: body = %q", target, body)
				}
			}
		})
	}
}

func TestDistIsEmbedded(t *testing.T) {
	fsys := Dist()
	if _, err := fs.Stat(fsys, ".gitkeep"); err != nil {
		t.Fatalf("dist/.gitkeep not embedded: %v", err)
	}
	// Whether or not the app has been built, the real handler must answer.
	rec := serve(t, Handler(), http.MethodGet, "/")
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 200 (built) or 503 (not built)", rec.Code)
	}
}
