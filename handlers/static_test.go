package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"fimdb/assets"

	"github.com/andybalholm/brotli"
)

// TestStaticAssetsPrecompressed: after the first request for a text asset,
// it is served from its brotli or gzip form at the best compression, with an
// ETag of its own, and revalidates like the plain file.
func TestStaticAssetsPrecompressed(t *testing.T) {
	app, _ := newTestApp(t)
	url := assets.Path("app.css")
	want, err := fs.ReadFile(assets.Static(), "app.css")
	if err != nil {
		t.Fatal(err)
	}
	// What the compress middleware's fast setting makes of it.
	var fastBr, fastGz bytes.Buffer
	bw := brotli.NewWriterLevel(&fastBr, brotli.BestSpeed)
	bw.Write(want)
	bw.Close()
	gw, _ := gzip.NewWriterLevel(&fastGz, gzip.BestSpeed)
	gw.Write(want)
	gw.Close()
	for _, tt := range []struct {
		encoding string
		decode   func(io.Reader) (io.Reader, error)
		fast     int
	}{
		{"br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }, fastBr.Len()},
		{"gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }, fastGz.Len()},
	} {
		t.Run(tt.encoding, func(t *testing.T) {
			var resp *http.Response
			// The first request starts the compression in the background.
			for deadline := time.Now().Add(60 * time.Second); ; {
				resp = scenario{url: url, headers: map[string]string{"Accept-Encoding": tt.encoding}, wantStatus: 200, wantType: "text/css",

					wantHeader: map[string]string{"Content-Encoding": tt.encoding, "Cache-Control": "public, max-age=31536000, immutable"}}.run(t, app)
				if strings.HasSuffix(resp.Header.Get("ETag"), "-"+tt.encoding+`"`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("never precompressed: ETag %s", resp.Header.Get("ETag"))
				}
				time.Sleep(10 * time.Millisecond) // polling for the background compression
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q", resp.Header.Get("Vary"))
			}
			packed, _ := io.ReadAll(resp.Body)
			r, err := tt.decode(bytes.NewReader(packed))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("decoded body differs from the file (%d bytes, %v)", len(got), err)
			}
			if len(packed) >= tt.fast*9/10 {
				t.Errorf("%s: %d bytes, hardly better than the fast setting's %d", tt.encoding, len(packed), tt.fast)
			}
			scenario{url: url, headers: map[string]string{"If-None-Match": resp.Header.Get("ETag"), "Accept-Encoding": tt.encoding},
				wantStatus: http.StatusNotModified}.run(t, app)
		})
	}
	// Clients that accept neither get the file itself.
	resp := scenario{url: url, headers: map[string]string{"Accept-Encoding": "identity"}, wantStatus: 200,
		wantHeader: map[string]string{"Content-Encoding": ""}}.run(t, app)
	if body, _ := io.ReadAll(resp.Body); !bytes.Equal(body, want) {
		t.Error("the identity body differs from the file")
	}
}
