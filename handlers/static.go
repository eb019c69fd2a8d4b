package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"fimdb/assets"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

type staticFile struct {
	data        []byte
	contentType string
	tag         string     // the content hash, the ETag without its closing quote
	packed      *encodings // nil for files not worth compressing
}

// encodings are a file's brotli and gzip forms at their best compression,
// which is too slow to do per request (Beer CSS takes a sixth of a second)
// but pays on every first visit: a quarter less than the compress
// middleware's fast setting sends. They are made once, in the background,
// after the first request for the file that accepts them; until then the
// middleware compresses it on the fly.
type encodings struct {
	once     sync.Once
	ready    atomic.Bool
	br, gzip []byte
}

func (e *encodings) make(data []byte) {
	var br, gz bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	bw.Write(data)
	bw.Close()
	gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	gw.Write(data)
	gw.Close()
	e.br, e.gzip = br.Bytes(), gz.Bytes()
	e.ready.Store(true)
}

// compressible tells whether a file is text worth compressing ahead.
func compressible(contentType string, size int) bool {
	if size < 1024 {
		return false
	}
	for _, prefix := range []string{"text/", "application/javascript", "application/json", "image/svg+xml"} {
		if strings.HasPrefix(contentType, prefix) {
			return true
		}
	}
	return false
}

// contentTypes are the types Go's built-in table lacks (the system's may
// be missing on a server).
var contentTypes = map[string]string{".ico": "image/x-icon"}

// staticAssets serves the embedded front end. URLs carry the asset tree's
// fingerprint, so a response never changes for its URL and can be cached
// for a year; the ETag covers clients that revalidate anyway.
func staticAssets() fiber.Handler {
	files := map[string]*staticFile{}
	fs.WalkDir(assets.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := loadStaticFile(p)
		if err != nil {
			return err
		}
		files[p] = f
		return nil
	})
	version := assets.Version()
	return func(c *fiber.Ctx) error {
		f, ok := files[c.Params("*")]
		if !ok || c.Params("version") != version {
			return fiber.ErrNotFound
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		c.Set(fiber.HeaderContentType, f.contentType)
		// Every encoding of this URL has the same content, so any of its
		// ETags is a match.
		if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), f.tag) {
			c.Set(fiber.HeaderETag, f.tag+`"`)
			return c.SendStatus(fiber.StatusNotModified)
		}
		if f.packed == nil {
			c.Set(fiber.HeaderETag, f.tag+`"`)
			return c.Send(f.data)
		}
		c.Vary(fiber.HeaderAcceptEncoding)
		h := &c.Request().Header
		if br, gz := h.HasAcceptEncoding("br"), h.HasAcceptEncoding("gzip"); br || gz {
			f.packed.once.Do(func() { go f.packed.make(f.data) })
			if f.packed.ready.Load() {
				if br {
					return sendEncoded(c, f.packed.br, "br", f.tag)
				}
				return sendEncoded(c, f.packed.gzip, "gzip", f.tag)
			}
		}
		c.Set(fiber.HeaderETag, f.tag+`"`)
		return c.Send(f.data) // the compress middleware encodes it, if asked to
	}
}

func sendEncoded(c *fiber.Ctx, body []byte, encoding, tag string) error {
	c.Set(fiber.HeaderContentEncoding, encoding) // the compress middleware leaves it alone
	c.Set(fiber.HeaderETag, tag+"-"+encoding+`"`)
	return c.Send(body)
}

// loadStaticFile reads an embedded asset with its content type and the
// hash its ETag carries.
func loadStaticFile(p string) (*staticFile, error) {
	data, err := fs.ReadFile(assets.Static(), p)
	if err != nil {
		return nil, err
	}
	ctype := contentTypes[path.Ext(p)]
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(p))
	}
	if ctype == "" {
		ctype = fiber.MIMEOctetStream
	}
	return newStaticFile(data, ctype), nil
}

// newStaticFile is data served as contentType, tagged by its hash.
func newStaticFile(data []byte, contentType string) *staticFile {
	sum := sha256.Sum256(data)
	f := &staticFile{data: data, contentType: contentType, tag: `"` + hex.EncodeToString(sum[:8])}
	if compressible(contentType, len(data)) {
		f.packed = &encodings{}
	}
	return f
}

// favicon answers /favicon.ico, which browsers and other clients ask for
// without reading the page's <link rel="icon"> (that one points at the
// fingerprinted copy). The URL has no fingerprint, so it is cached for a
// month rather than forever.
func favicon() fiber.Handler {
	f, err := loadStaticFile("favicon.ico")
	if err != nil {
		panic(err) // embedded at build time
	}
	return unversionedFile(f, "public, max-age=2592000")
}

// unversionedFile serves a file whose URL stays the same when a new build
// changes it, with cacheControl and an ETag to revalidate it by.
func unversionedFile(f *staticFile, cacheControl string) fiber.Handler {
	etag := f.tag + `"`
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, cacheControl)
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderContentType, f.contentType)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		return c.Send(f.data)
	}
}
