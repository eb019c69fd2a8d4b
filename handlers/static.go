package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"

	"fimdb/assets"

	"github.com/gofiber/fiber/v2"
)

type staticFile struct {
	data        []byte
	contentType string
	etag        string
}

// contentTypes are the types Go's built-in table lacks (the system's may
// be missing on a server).
var contentTypes = map[string]string{".ico": "image/x-icon"}

// staticAssets serves the embedded front end. URLs carry the asset tree's
// fingerprint, so a response never changes for its URL and can be cached
// for a year; the ETag covers clients that revalidate anyway.
func staticAssets() fiber.Handler {
	files := map[string]staticFile{}
	fs.WalkDir(assets.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets.Static(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := contentTypes[path.Ext(p)]
		if ctype == "" {
			ctype = mime.TypeByExtension(path.Ext(p))
		}
		if ctype == "" {
			ctype = fiber.MIMEOctetStream
		}
		files[p] = staticFile{data: data, contentType: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	version := assets.Version()
	return func(c *fiber.Ctx) error {
		f, ok := files[c.Params("*")]
		if !ok || c.Params("version") != version {
			return fiber.ErrNotFound
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		c.Set(fiber.HeaderETag, f.etag)
		c.Set(fiber.HeaderContentType, f.contentType)
		if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		return c.Send(f.data)
	}
}

// favicon answers /favicon.ico, which browsers and other clients ask for
// without reading the page's <link rel="icon"> (that one points at the
// fingerprinted copy). The URL has no fingerprint, so it is cached for a
// month rather than forever.
func favicon() fiber.Handler {
	data, err := fs.ReadFile(assets.Static(), "favicon.ico")
	if err != nil {
		panic(err) // embedded at build time
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "public, max-age=2592000")
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderContentType, contentTypes[".ico"])
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		return c.Send(data)
	}
}
