package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// web holds the console page, its assets and the site embed widget.js.
//
//go:embed web
var web embed.FS

// asset is one embedded file with its precomputed ETag.
type asset struct {
	body  []byte
	etag  string
	ctype string
}

// versionedRef matches the console's references to its own assets: the
// page's "console/x.js" and the modules' "./x.js" imports.
var versionedRef = regexp.MustCompile(`(["'])((?:console/|\./)[a-z0-9_-]+\.(?:js|css))(["'])`)

// loadAssets reads the embedded files. The console's page and modules
// refer to each other with ?v=<version>, a hash of every file, so a new
// deployment changes every URL and each one can be cached for a year.
func loadAssets() (map[string]asset, string) {
	files := map[string][]byte{}
	all := sha256.New()
	_ = fs.WalkDir(web, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := web.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = b
		all.Write([]byte(p))
		all.Write(b)
		return nil
	})
	version := hex.EncodeToString(all.Sum(nil)[:8])
	out := map[string]asset{}
	for p, b := range files {
		name := strings.TrimPrefix(p, "web/")
		if name != "widget.js" && (strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".js")) {
			b = versionedRef.ReplaceAll(b, []byte("${1}${2}?v="+version+"${3}"))
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[name] = asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ct}
	}
	return out, version
}

// routeStatic serves /console (the page), /console/{file} and /widget.js with
// ETags. Files requested with ?v=<version> (as the page and its modules
// ask for each other) are immutable and cached for a year; others, the
// page itself among them, are revalidated after five minutes.
func (h *handler) routeStatic() {
	assets, version := loadAssets()
	serve := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			a, ok := assets[name]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", a.ctype)
			w.Header().Set("ETag", a.etag)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			if v := r.URL.Query().Get("v"); v != "" && (v == version || `"`+v+`"` == a.etag) {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "public, max-age=300")
			}
			if name == "console.html" {
				w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
			}
			if match := r.Header.Get("If-None-Match"); match == a.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			_, _ = w.Write(a.body)
		}
	}
	h.mux.HandleFunc("GET /console", serve("console.html"))
	h.mux.HandleFunc("GET /console/{file}", func(w http.ResponseWriter, r *http.Request) {
		serve(r.PathValue("file"))(w, r)
	})
	h.mux.HandleFunc("GET /widget.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		serve("widget.js")(w, r)
	})
}
