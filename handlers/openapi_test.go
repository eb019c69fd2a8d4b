package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
)

// apiContract is the OpenAPI document as the handler tests hold the app
// to it: every request a test sends to a documented operation, and its
// answer, are checked against it (testApp.Test), and the operations and
// answers checked are counted, so that a document describing what no test
// sees fails too (TestMain).
type apiContract struct {
	doc    *openapi3.T
	router routers.Router

	mu      sync.Mutex
	checked map[string]int // "operationId status" → exchanges checked
}

// contract is loaded once for the package's tests; it only counts.
var contract = mustLoadContract()

func mustLoadContract() *apiContract {
	c, err := loadContract(openAPIDocument)
	if err != nil {
		panic(fmt.Sprintf("openapi.json: %v", err))
	}
	return c
}

// loadContract reads and validates the document. The tests then hold
// answers to it more strictly than clients are asked to: an object the
// app sends may have no key the document does not name, so a key added to
// an answer fails until it is documented.
func loadContract(document []byte) (*apiContract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	for name, schema := range doc.Components.Schemas {
		if !requestSchemas[name] {
			closeObjects(schema.Value, map[*openapi3.Schema]bool{})
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	return &apiContract{doc: doc, router: router, checked: map[string]int{}}, nil
}

// requestSchemas are the schemas of bodies clients send; the app ignores
// keys it does not know there, so they stay open.
var requestSchemas = map[string]bool{
	"NewMovie": true, "MovieUpdate": true, "NewMovieForm": true, "MovieUpdateForm": true,
}

// closeObjects forbids keys that a schema with properties does not name,
// in it and in every schema inside it.
func closeObjects(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeObjects(p.Value, seen)
	}
	if s.Items != nil {
		closeObjects(s.Items.Value, seen)
	}
}

// check holds one exchange to the document. A request to a path or method
// the document does not describe is not its business. A request the
// document rejects must be refused by the app too (a 4xx or 5xx, or a
// redirect to the sign-in form), even as the app reads it (asTheAppReadsIt):
// otherwise the document forbids what the app does. Every answer, to any
// request, must be one the document lists for the operation, with its
// required headers, its content type and a body of its schema.
func (ct *apiContract) check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	route, params, err := ct.router.FindRoute(req)
	if err != nil {
		return nil
	}
	ctx := context.Background()
	where := fmt.Sprintf("%s %s answered %d", req.Method, req.URL.RequestURI(), resp.StatusCode)
	refused := resp.StatusCode >= 400 || strings.HasPrefix(resp.Header.Get("Location"), "/login")
	if err := openapi3filter.ValidateRequest(ctx, requestInput(route, params, req, reqBody)); err != nil && !refused {
		fixedReq, fixedBody := asTheAppReadsIt(route, req, reqBody)
		if openapi3filter.ValidateRequest(ctx, requestInput(route, params, fixedReq, fixedBody)) != nil {
			return fmt.Errorf("openapi.json rejects this request, which the app carried out: %s: %w", where, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: requestInput(route, params, req, reqBody),
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("the answer is not one openapi.json describes: %s: %w\nbody: %.400s", where, err, respBody)
	}
	ct.count(route.Operation, resp)
	return nil
}

func requestInput(route *routers.Route, params map[string]string, req *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	// The validator rereads the body from GetBody when it has one.
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
	return &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: presentCredentials, MultiError: true},
	}
}

// asTheAppReadsIt is the request as the app reads it in the two places
// where it reads what is sent as the web does and the validator does not:
// a whole-number query parameter with spaces around it, or with more
// digits than 64 bits hold, is read as the original app's int() did (and
// clamped); a "%" in a form body that starts no escape is kept as typed,
// as the WHATWG's form decoding does, where Go's net/url refuses the whole
// body. Clients send plain integers and proper escapes, which the document
// asks for.
func asTheAppReadsIt(route *routers.Route, req *http.Request, body []byte) (*http.Request, []byte) {
	fixed := req.Clone(context.Background())
	query := fixed.URL.Query()
	for _, p := range route.Operation.Parameters {
		v := p.Value
		if v.In != "query" || v.Schema == nil || !v.Schema.Value.Type.Is("integer") || !query.Has(v.Name) {
			continue
		}
		raw := strings.TrimSpace(query.Get(v.Name))
		n, err := strconv.ParseInt(raw, 10, 64) // the nearest bound when out of range
		switch {
		case raw == "":
			query.Del(v.Name)
		case err == nil || errors.Is(err, strconv.ErrRange):
			query.Set(v.Name, strconv.FormatInt(n, 10))
		}
	}
	fixed.URL.RawQuery = query.Encode()
	if media, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); media == "application/x-www-form-urlencoded" {
		body = escapeStrayPercents(body)
	}
	return fixed, body
}

// escapeStrayPercents escapes each "%" that is not followed by two hex
// digits, so that it reads as itself.
func escapeStrayPercents(body []byte) []byte {
	var out []byte
	for i, b := range body {
		if b == '%' && (i+2 >= len(body) || !isHex(body[i+1]) || !isHex(body[i+2])) {
			out = append(out, "%25"...)
			continue
		}
		out = append(out, b)
	}
	return out
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

// count notes that an answer of op was checked: by its status, and by its
// content type in the response object that describes it (one shared by
// several operations, such as BadRequest, once for them all).
func (ct *apiContract) count(op *openapi3.Operation, resp *http.Response) {
	status := strconv.Itoa(resp.StatusCode)
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	ct.mu.Lock()
	defer ct.mu.Unlock()
	ct.checked[op.OperationID+" "+status]++
	ct.checked[responseName(op, status)+" "+media]++
}

// responseName names the response object op answers status with.
func responseName(op *openapi3.Operation, status string) string {
	if r := op.Responses.Value(status); r != nil && r.Ref != "" {
		return r.Ref
	}
	return op.OperationID + " " + status
}

// presentCredentials tells whether a request carries what a security
// scheme names; whether the credentials are good is the app's to say.
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearerToken":
		if h := req.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return nil
		}
	case "sessionCookie":
		if _, err := req.Cookie("fimdb_session"); err == nil {
			return nil
		}
	case "csrfToken":
		if req.Header.Get("X-CSRF-Token") != "" || formCSRF(req) != "" {
			return nil
		}
	}
	return fmt.Errorf("no %s", in.SecuritySchemeName)
}

// formCSRF is the _csrf field of a form body (urlencoded or multipart,
// as the app reads it), which it leaves readable.
func formCSRF(req *http.Request) string {
	if req.Body == nil {
		return ""
	}
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	form := req.Clone(context.Background())
	form.Method = http.MethodPost // net/http reads the body of a POST only; the app, of any method
	form.Body = io.NopCloser(bytes.NewReader(body))
	form.ParseMultipartForm(BodyLimit) // a urlencoded body is read as well
	return form.PostFormValue("_csrf")
}

// unchecked lists what the document says that no test's exchange was
// checked against: each answer (operation and status), and each content
// type of each response object.
func (ct *apiContract) unchecked() []string {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	var missing []string
	note := func(key, where string) {
		if ct.checked[key] == 0 {
			if !strings.HasPrefix(key, "#/") { // a shared response is one thing to see
				key += " (" + where + ")"
			}
			missing = append(missing, key)
		}
	}
	for path, item := range ct.doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, r := range op.Responses.Map() {
				where := method + " " + path
				note(op.OperationID+" "+status, where)
				for media := range r.Value.Content {
					note(responseName(op, status)+" "+media, where)
				}
			}
		}
	}
	sort.Strings(missing)
	return slices.Compact(missing)
}

// Test is fiber's App.Test, with the exchange held to the OpenAPI
// document (testAgainstContract).
func (ta *testApp) Test(req *http.Request, msTimeout ...int) (*http.Response, error) {
	return testAgainstContract(ta.App, req, msTimeout...)
}

// testAgainstContract is app.Test, with the exchange held to the OpenAPI
// document: an exchange that does not follow it is an error, which every
// test reports as it reports a request that could not be made.
func testAgainstContract(app *fiber.App, req *http.Request, msTimeout ...int) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	sent := req.Clone(context.Background())
	if err := sendsItsURL(req); err != nil {
		return nil, err
	}
	resp, err := app.Test(req, msTimeout...)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return resp, err
	}
	if err := contract.check(sent, reqBody, resp, respBody); err != nil {
		return resp, err
	}
	return resp, nil
}

// sendsItsURL fails a request whose URL was changed after it was made:
// app.Test sends its RequestURI, and the document would be held to a
// request the app never got.
func sendsItsURL(req *http.Request) error {
	if req.RequestURI == "" {
		return nil
	}
	u, err := url.ParseRequestURI(req.RequestURI)
	if err != nil || u.Path != req.URL.Path || u.RawQuery != req.URL.RawQuery {
		return fmt.Errorf("the request's URL %q is not its RequestURI %q, which is what app.Test sends", req.URL.RequestURI(), req.RequestURI)
	}
	return nil
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	ta, _ := newTestApp(t)
	resp := scenario{url: "/openapi.json", as: anonymous, wantStatus: http.StatusOK, wantType: fiber.MIMEApplicationJSON,
		wantHeader: map[string]string{"Cache-Control": "no-cache"}}.run(t, ta)
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(body, openAPIDocument) {
		t.Errorf("/openapi.json is not the embedded document")
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, %v; want 3.1.x", doc.OpenAPI, err)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	scenario{url: "/openapi.json", as: anonymous, headers: map[string]string{"If-None-Match": etag}, wantStatus: http.StatusNotModified}.run(t, ta)
}

// TestRareAnswersAreAsDocumented makes the answers that no other test
// needs, so that each answer the document lists is checked against it
// (413s: TestRequestBodiesAreLimited).
func TestRareAnswersAreAsDocumented(t *testing.T) {
	ta, _ := newTestApp(t)
	movie := "movie_name=Alien&director=Ridley+Scott&imdb_score=8.5&popularity=88"
	for _, sc := range []scenario{
		{name: "a browser not signed in asks for suggestions", url: "/suggest?field=name&q=st", as: anonymous, headers: asBrowser, wantStatus: http.StatusSeeOther},
		{name: "a browser not signed in adds", method: "POST", url: "/manage/add", body: movie, as: anonymous, headers: asBrowser, wantStatus: http.StatusSeeOther},
		{name: "a browser not signed in updates", method: "POST", url: "/manage/update", body: "id=4&" + movie, as: anonymous, headers: asBrowser, wantStatus: http.StatusSeeOther},
		{name: "a browser not signed in deletes", method: "DELETE", url: "/manage/delete/4", as: anonymous, headers: asBrowser, wantStatus: http.StatusSeeOther},
		{name: "a restore of no id", method: "POST", url: "/manage/restore/four", as: asAdmin, headers: asJSON, wantStatus: http.StatusBadRequest, want: []string{`"field":"id"`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, ta) })
	}

	broken, store := newTestApp(t)
	store.Close() // every statement fails from here on
	for _, sc := range []scenario{
		{name: "health", url: "/healthz", as: anonymous, wantStatus: http.StatusServiceUnavailable, want: []string{`"status":"unavailable"`}},
		{name: "suggest", url: "/suggest?field=name&q=st"},
		{name: "a movie", url: "/movies/4"},
		{name: "add", method: "POST", url: "/manage/add", body: movie},
		{name: "update", method: "POST", url: "/manage/update", body: "id=4&" + movie},
		{name: "delete", method: "DELETE", url: "/manage/delete/4"},
		{name: "restore", method: "POST", url: "/manage/restore/4"},
	} {
		t.Run("database down/"+sc.name, func(t *testing.T) {
			if sc.as == "" {
				sc.as, sc.wantStatus = asAdmin, http.StatusInternalServerError
			}
			sc.headers = asJSON
			sc.run(t, broken)
		})
	}

	t.Run("draining", func(t *testing.T) {
		app := New(Deps{Store: ta.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Draining: func() bool { return true }})
		resp, err := testAgainstContract(app, httptest.NewRequest(http.MethodGet, "/healthz", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "draining") {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
}
