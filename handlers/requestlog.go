package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// RequestIDHeader carries a request's id: the client's (or the proxy's in
// front) when it is well-formed, one made here otherwise. The response
// sends it back, and the request's log line and any error logged for it
// carry it, so a person reporting a failure can name the line.
const RequestIDHeader = "X-Request-ID"

// requestIDKey is where the request's id lives in c.Locals.
const requestIDKey = "fimdb.request_id"

// maxRequestIDLen is longer than a UUID (36), a W3C trace parent (55) or
// an AWS trace id, and short enough to keep log lines readable.
const maxRequestIDLen = 128

// wellFormedRequestID accepts the ids proxies and tracing systems send:
// letters, digits and - _ . : / + = @. Anything else, such as a space or a
// line break that would let a client write a fake log line, or more than
// maxRequestIDLen bytes, is replaced by an id of our own.
func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case b == '-' || b == '_' || b == '.' || b == ':' || b == '/' || b == '+' || b == '=' || b == '@':
		default:
			return false
		}
	}
	return true
}

// requestIDs makes ids unique to this process: a random prefix chosen at
// start, so that instances behind one proxy do not repeat each other, and
// a counter, so that an id costs no system call.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 6)
	rand.Read(b) // never fails (crypto/rand documents it)
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}
}

func (r *requestIDs) next() string {
	return r.prefix + strconv.FormatUint(r.n.Add(1), 10)
}

// requestID is the id of the request c serves ("" before logRequests ran).
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// logRequests gives every request an id and writes one line for it once it
// is answered: method, route pattern (never the path, which holds ids and
// search words), status, duration, bytes sent, request id and the user's id
// (never an email or a token); observe counts it too. It runs the error
// handler itself, as Fiber's own logger does, so the line has the status
// the client got.
func logRequests(log *slog.Logger, observe Observer, handleError fiber.ErrorHandler) fiber.Handler {
	ids := newRequestIDs()
	return func(c *fiber.Ctx) error {
		start := time.Now()
		id := c.Get(RequestIDHeader)
		if wellFormedRequestID(id) {
			id = strings.Clone(id) // fasthttp reuses the header's bytes after the request
		} else {
			id = ids.next()
		}
		c.Locals(requestIDKey, id)
		c.Set(RequestIDHeader, id)
		if err := c.Next(); err != nil {
			if err := handleError(c, err); err != nil {
				c.Status(fiber.StatusInternalServerError)
			}
		}
		took, route, status, method := time.Since(start), routePattern(c), c.Response().StatusCode(), knownMethod(c.Method())
		observe.ObserveRequest(route, method, status, took)
		attrs := [...]slog.Attr{
			slog.String("method", method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			slog.Int("bytes", bytesSent(c)),
			slog.String("request_id", id),
		}
		n := len(attrs)
		if ru := currentUser(c); ru.user != nil {
			log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", append(attrs[:n:n], slog.Int64("user_id", ru.user.ID))...)
			return nil
		}
		log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs[:]...)
		return nil
	}
}

// routeKey is where the pattern of the route that answers lives in c.Locals.
const routeKey = "fimdb.route"

// nameRoute records pattern as the route that answers, unless a route
// registered after it, and so more specific, names itself too.
func nameRoute(pattern string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(routeKey, pattern)
		return c.Next()
	}
}

// routePattern names the route that answered as it was registered
// ("/movies/:id"), never by the path, whose ids and words would make every
// request its own. A request that middleware mounted on a prefix answered,
// such as an administrator's check, is named by the prefix ("/admin/*");
// one that no route matched, or that was turned away before any route (a
// bad token), by "".
func routePattern(c *fiber.Ctx) string {
	p, _ := c.Locals(routeKey).(string)
	return p
}

// knownMethod is method as one of the constant strings Fiber routes, or
// "OTHER". fasthttp's own string is a view of a buffer that the next request
// reuses, so it must not outlive the request (a metric's label does).
func knownMethod(method string) string {
	for _, m := range fiber.DefaultMethods {
		if m == method {
			return m
		}
	}
	return "OTHER"
}

// bytesSent is the size of the response body as sent (compressed, if it
// was), or -1 when it is streamed without a length.
func bytesSent(c *fiber.Ctx) int {
	resp := c.Response()
	if resp.IsBodyStream() {
		return resp.Header.ContentLength()
	}
	return len(resp.Body())
}
