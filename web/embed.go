// Package web serves the built single-page app embedded in the binary.
package web

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app (the contents of web/dist).
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// Unreachable: "dist" is a valid path and is always embedded.
		panic(err)
	}
	return sub
}

// Handler serves the embedded app. See newHandler for the rules.
func Handler() http.Handler {
	return newHandler(Dist())
}

const (
	indexFile = "index.html"

	// Vite fingerprints everything under assets/, so those files never change.
	immutableCache = "public, max-age=31536000, immutable"
	// index.html must be revalidated so a new build is picked up at once.
	revalidateCache = "no-cache"
)

const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ChatBridge</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;">
<h1>ChatBridge</h1>
<p>The web app is not built yet: run <code>make web</code></p>
</body>
</html>
`

type spaHandler struct {
	fsys     fs.FS
	hasIndex bool
}

// newHandler serves the files of fsys as a single-page app:
//
//   - existing files are served as they are; files under assets/ get a
//     long-lived immutable Cache-Control header, index.html gets no-cache;
//   - any other path that does not look like a file (no extension in its last
//     segment) gets index.html, so the app's own routes work on reload;
//   - missing files, dot files, and unknown paths under assets/, api/ and
//     webhooks/ answer 404 instead of the app;
//   - when fsys has no index.html (the front end was not built) every request
//     answers a short page saying so, with status 503.
func newHandler(fsys fs.FS) http.Handler {
	_, err := fs.Stat(fsys, indexFile)
	return &spaHandler{fsys: fsys, hasIndex: err == nil}
}

func (h *spaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	if !h.hasIndex {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		if r.Method != http.MethodHead {
			_, _ = io.WriteString(w, notBuiltPage)
		}
		return
	}

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = indexFile
	}
	if hiddenPath(name) {
		http.NotFound(w, r)
		return
	}

	if info, err := fs.Stat(h.fsys, name); err == nil && !info.IsDir() {
		h.serveFile(w, r, name)
		return
	}

	last := path.Base(name)
	if strings.Contains(last, ".") || underAny(name, "assets", "api", "webhooks") {
		http.NotFound(w, r)
		return
	}
	h.serveFile(w, r, indexFile)
}

func (h *spaHandler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, err := h.fsys.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}

	switch {
	case name == indexFile:
		w.Header().Set("Cache-Control", revalidateCache)
	case strings.HasPrefix(name, "assets/"):
		w.Header().Set("Cache-Control", immutableCache)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")

	content, ok := f.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(data)
	}
	// Embedded files have a zero modification time, in which case ServeContent
	// sends no Last-Modified; fingerprinted asset names make that safe.
	http.ServeContent(w, r, name, info.ModTime(), content)
}

// hiddenPath reports whether any segment of name starts with a dot
// (e.g. the .gitkeep placeholder): those are never served.
func hiddenPath(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// underAny reports whether name is one of dirs or inside one of them.
func underAny(name string, dirs ...string) bool {
	for _, d := range dirs {
		if name == d || strings.HasPrefix(name, d+"/") {
			return true
		}
	}
	return false
}
