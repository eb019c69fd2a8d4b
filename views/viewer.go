package views

import (
	"context"
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
