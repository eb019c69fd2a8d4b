package views

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
)

// Viewer is who is looking at a page: enough for the header and forms.
type Viewer struct {
	SignedIn bool
	Email    string
	Admin    bool
	// CSRF is the session's token; unsafe requests must echo it.
	CSRF string
}

type viewerKey struct{}

// WithViewer puts v into ctx for the components to read.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer of ctx (the zero Viewer when anonymous).
func ViewerFrom(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}

// csrfHeaders is the hx-headers value that makes htmx send the token with
// every request it issues.
func csrfHeaders(ctx context.Context) string {
	token := ViewerFrom(ctx).CSRF
	if token == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

// newAddKeyHeaders is the hx-headers value of one rendered add form: an
// Idempotency-Key of its own, so that pressing Save again after an add
// whose answer was lost (a 502 from a proxy) adds the movie once.
func newAddKeyHeaders() string {
	b := make([]byte, 16)
	rand.Read(b)
	h, _ := json.Marshal(map[string]string{"Idempotency-Key": "add-" + hex.EncodeToString(b)})
	return string(h)
}
