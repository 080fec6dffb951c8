package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatbridge/chatbridge/adapters/generic"
)

// receiver plays the platforms' side of outbound delivery: it takes the generic
// channels' callbacks at /callback/<channel index>, checks their signature and
// timestamp as a platform would, and answers 2xx, or, on command, late or 500.
// POST /control?delay=500ms&fail=0.2 changes the behaviour during a run.
type receiver struct {
	run string
	ln  net.Listener
	srv *http.Server

	mu      sync.Mutex
	secrets []string
	replies *tracker
	delay   time.Duration
	fail    float64
	rng     *rand.Rand
	ids     map[string]bool // outbound message ids received (a repeat is a redelivery)

	answered                  *Counter
	badSignature, otherEvents atomic.Int64
	repeats                   atomic.Int64
	unsolicited               atomic.Int64 // messages of the shop's own (greetings)
}

// startReceiver listens on addr and serves until Close.
func startReceiver(addr, run string, delay time.Duration, fail float64, seed uint64) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("callback receiver: listen on %s: %w", addr, err)
	}
	r := &receiver{run: run, ln: ln, delay: delay, fail: fail,
		rng: rand.New(rand.NewPCG(seed, 0xcb)), ids: map[string]bool{}, answered: &Counter{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URL is the receiver's base URL on its listening address.
func (r *receiver) URL() string { return "http://" + r.ln.Addr().String() }

// expect gives the receiver the channels' secrets, by channel index, and the tracker of
// the replies it is to see.
func (r *receiver) expect(secrets []string, replies *tracker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets, r.replies = secrets, replies
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/control":
		r.control(w, req)
	case req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, "/callback/"):
		r.callback(w, req)
	default:
		http.NotFound(w, req)
	}
}

func (r *receiver) control(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := q.Get("delay"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			http.Error(w, "delay must be a duration such as 500ms", http.StatusBadRequest)
			return
		}
		r.delay = d
	}
	if v := q.Get("fail"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			http.Error(w, "fail must be a share between 0 and 1", http.StatusBadRequest)
			return
		}
		r.fail = f
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"delay": r.delay.String(), "fail": r.fail})
}

func (r *receiver) callback(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		r.answer(w, http.StatusBadRequest)
		return
	}
	idx, err := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/callback/"))
	r.mu.Lock()
	secret, known := "", err == nil && idx >= 0 && idx < len(r.secrets)
	if known {
		secret = r.secrets[idx]
	}
	delay, failing := r.delay, r.rng.Float64() < r.fail
	r.mu.Unlock()
	if !known {
		r.answer(w, http.StatusNotFound)
		return
	}
	if err := generic.Verify(secret, req.Header.Get(generic.HeaderTimestamp), req.Header.Get(generic.HeaderSignature), body, at); err != nil {
		r.badSignature.Add(1)
		r.answer(w, http.StatusUnauthorized)
		return
	}
	if delay > 0 {
		sleep(req.Context(), delay)
	}
	if failing {
		r.answer(w, http.StatusInternalServerError)
		return
	}
	r.record(body, at)
	r.answer(w, http.StatusOK)
}

// record notes a verified, accepted callback: a reply of this run is seen.
func (r *receiver) record(body []byte, at time.Time) {
	var ev struct {
		Event   string `json:"event"`
		Message struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event != "message" {
		r.otherEvents.Add(1)
		return
	}
	r.mu.Lock()
	repeat := r.ids[ev.Message.ID]
	r.ids[ev.Message.ID] = true
	replies := r.replies
	r.mu.Unlock()
	if repeat {
		r.repeats.Add(1)
	}
	t, ok := parseTag([]byte(ev.Message.Text), r.run)
	switch {
	case ok && t.Kind == kindReply && replies != nil:
		replies.see(t.Seq, t.Due, at)
	case !ok && !repeat:
		r.unsolicited.Add(1)
	}
}

func (r *receiver) answer(w http.ResponseWriter, code int) {
	r.answered.AddStatus(code)
	w.WriteHeader(code)
}

// shutdown closes the receiver, giving callbacks in progress a moment.
func (r *receiver) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = r.srv.Close()
	}
}
