package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// FaultKind is what a scripted Fault does to a request it matches.
type FaultKind int

// The kinds of scripted faults. The first four are the faults --fail-rate
// draws at random; a script may also put the "committed" ones on reads (the
// answer is computed, then lost) and on any path, the token endpoint too.
const (
	// FaultUnavailable answers 503 before the tenant sees the request.
	FaultUnavailable FaultKind = iota + 1
	// FaultDropped closes the connection before the tenant sees the request.
	FaultDropped
	// FaultCommitted502 lets the tenant serve (and commit) the request,
	// then replaces its answer by a 502.
	FaultCommitted502
	// FaultCommittedDropped lets the tenant serve (and commit) the request,
	// then closes the connection unanswered.
	FaultCommittedDropped
	// FaultRateLimited answers 429 before the tenant sees the request, with
	// the X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset and
	// Retry-After headers of an empty bucket (the real one when the sandbox
	// has a rate limit and the path is the Management API's), its reset a
	// second or so ahead, as the rate limiter answers.
	FaultRateLimited
	// FaultAnswer answers Fault.Status with Fault.Body, or with an Auth0
	// error body made of Fault.Message and Fault.ErrorCode, before the
	// tenant sees the request: a refused write, a missing scope, a stale
	// read (200 with an empty list).
	FaultAnswer
)

// String names the kind for test failures.
func (k FaultKind) String() string {
	if f := k.fault(); f != faultNone {
		return f.String()
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// fault is the transport fault that carries the kind out.
func (k FaultKind) fault() fault {
	switch k {
	case FaultUnavailable:
		return faultUnavailable
	case FaultDropped:
		return faultDropped
	case FaultCommitted502:
		return faultLost502
	case FaultCommittedDropped:
		return faultLostDropped
	case FaultRateLimited:
		return faultRateLimited
	case FaultAnswer:
		return faultAnswer
	}
	return faultNone
}

// Fault is one scripted failure: it applies to the next Count requests that
// match Pattern, in the order they arrive.
type Fault struct {
	// Pattern matches the request as an http.ServeMux pattern does:
	// "POST /api/v2/clients" (that method and path), "GET /api/v2/clients/{id}"
	// (a wildcard segment), "/api/v2/" (any method, every path under it),
	// "POST /oauth/token".
	Pattern string
	// Count is how many matching requests the fault applies to (0: one).
	Count int
	// Skip lets the first Skip matching requests through before the fault
	// applies (the second of two reads on one path).
	Skip int
	// Contains, when set, narrows the match to requests whose body holds
	// this text (one create among several on the same path).
	Contains string
	// Kind is what the fault does.
	Kind FaultKind

	// Status, Message, ErrorCode and Body make the answer of FaultAnswer:
	// Status with Body as JSON when Body is set, else an Auth0 error body
	// {"statusCode","error","message","errorCode"}.
	Status    int
	Message   string
	ErrorCode string
	Body      string
	// Header adds headers to the answer of FaultAnswer (a Retry-After on
	// a 503, say).
	Header http.Header
}

// Script injects faults deterministically, for tests: each request the
// sandbox serves (any path, not only the Management API) is matched against
// the faults not yet used up, in the order they were added, and the first
// that matches applies to it. Faults can be added while the sandbox runs, for
// example once a plan has read the tenant. The zero Script is empty and ready;
// a Script is safe for concurrent use. Put it in Options.Script.
type Script struct {
	mu     sync.Mutex
	faults []*scripted // guarded by mu; only those with uses left
}

// scripted is a Fault being used up.
type scripted struct {
	Fault
	mux  *http.ServeMux
	mark http.Handler
	left int
	skip int
}

// marker is the handler a scripted fault's mux returns for a match.
type marker struct{}

func (*marker) ServeHTTP(http.ResponseWriter, *http.Request) {}

// NewScript returns a script holding faults (see Add).
func NewScript(faults ...Fault) *Script {
	s := &Script{}
	s.Add(faults...)
	return s
}

// Add appends faults to the script. Like http.ServeMux.Handle, it panics on
// a fault that cannot be carried out: an invalid pattern, an unknown kind, a
// negative count, a FaultAnswer without a valid status.
func (s *Script) Add(faults ...Fault) {
	add := make([]*scripted, 0, len(faults))
	for _, f := range faults {
		if f.Kind.fault() == faultNone {
			panic(fmt.Sprintf("sandbox: scripted fault %q has no valid kind (%d)", f.Pattern, f.Kind))
		}
		if f.Count < 0 {
			panic(fmt.Sprintf("sandbox: scripted fault %q has a negative count", f.Pattern))
		}
		if f.Kind == FaultAnswer && (f.Status < 100 || f.Status > 999) {
			panic(fmt.Sprintf("sandbox: scripted answer %q has no valid status (%d)", f.Pattern, f.Status))
		}
		sf := &scripted{Fault: f, mux: http.NewServeMux(), mark: &marker{}, left: max(f.Count, 1), skip: f.Skip}
		sf.mux.Handle(f.Pattern, sf.mark) // panics on an invalid pattern
		add = append(add, sf)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, add...)
}

// Left returns how many requests the script has still to fault: 0 once
// every fault was used up.
func (s *Script) Left() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.left
	}
	return n
}

// take returns the fault for r, if one matches, and uses it up. A nil
// script matches nothing.
func (s *Script) take(r *http.Request) (*Fault, bool) {
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var body []byte
	read := false
	for i, f := range s.faults {
		// The mux answers a redirect, a 404 or a 405 handler for a
		// request its pattern does not match: only its own handler counts.
		if h, _ := f.mux.Handler(r); h != f.mark {
			continue
		}
		if f.Contains != "" {
			if !read && r.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
				r.Body = io.NopCloser(bytes.NewReader(body))
				read = true
			}
			if !bytes.Contains(body, []byte(f.Contains)) {
				continue
			}
		}
		if f.skip > 0 {
			f.skip--
			continue
		}
		if f.left--; f.left == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		out := f.Fault
		return &out, true
	}
	return nil, false
}

// writeScriptedAnswer writes the answer of a FaultAnswer.
func writeScriptedAnswer(w http.ResponseWriter, f *Fault) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if f.Body == "" {
		writeAuth0Error(w, f.Status, f.Message, f.ErrorCode)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body)) // a client gone mid-answer: nothing left to tell it
}
