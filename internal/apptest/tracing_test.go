package apptest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/chatbridge/chatbridge/internal/app"
)

// With tracing on, an agent's reply is one trace across processes' parts: the HTTP
// request that stored it, the message:send task it queued (the trace rides in the
// task's headers through Redis), and the adapter's call to the platform inside that
// task. The buyer's webhook is a trace of its own, and the platform sees no trace
// header.
func TestReplyIsOneTraceFromRequestThroughTaskToPlatformCall(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	inst := start(t, Config(t), app.Options{Roles: app.Roles{Serve: true, Work: true}, SpanExporter: exp})
	rec := &callbackRecorder{t: t}
	var (
		mu          sync.Mutex
		traceparent []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		traceparent = append(traceparent, r.Header.Get("traceparent"))
		mu.Unlock()
		rec.ServeHTTP(w, r)
	}))
	defer srv.Close()
	shop := inst.NewShop(t, "traced", srv.URL)
	rec.secret = shop.Secret

	if status, body := inst.Webhook(t, shop, MessageBody("m-1", "b-1", "小林", "在吗")); status != http.StatusOK {
		t.Fatalf("webhook: %d %s", status, body)
	}
	conv := onlyConversation(t, shop.Agent)
	shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "text", "text": "在的"}, http.StatusAccepted, nil)

	var request, task, call tracetest.SpanStub
	Eventually(t, 15*time.Second, "the delivery task's span", func() bool {
		request, task, call = tracetest.SpanStub{}, tracetest.SpanStub{}, tracetest.SpanStub{}
		for _, s := range exp.GetSpans() {
			switch {
			case s.Name == "POST /api/v1/conversations/:id/messages" && s.SpanKind == trace.SpanKindServer:
				request = s
			case s.Name == "task message:send" && s.SpanKind == trace.SpanKindConsumer:
				task = s
			case s.SpanKind == trace.SpanKindClient && strings.HasPrefix(s.Name, "POST ") && strings.Contains(srv.URL, strings.TrimPrefix(s.Name, "POST ")):
				call = s
			}
		}
		return request.Name != "" && task.Name != "" && call.Name != ""
	})
	id := request.SpanContext.TraceID()
	if !task.Parent.IsValid() || task.Parent.SpanID() != request.SpanContext.SpanID() || task.SpanContext.TraceID() != id {
		t.Errorf("task span %s (trace %s, parent %s) is not a child of the request span %s (trace %s)",
			task.SpanContext.SpanID(), task.SpanContext.TraceID(), task.Parent.SpanID(), request.SpanContext.SpanID(), id)
	}
	if !task.Parent.IsRemote() {
		t.Error("the task span's parent should come from the task's headers (remote), not the worker's own context")
	}
	if call.Parent.SpanID() != task.SpanContext.SpanID() || call.SpanContext.TraceID() != id {
		t.Errorf("the platform call (trace %s, parent %s) is not a child of the task span %s", call.SpanContext.TraceID(), call.Parent.SpanID(), task.SpanContext.SpanID())
	}
	if !hasAttr(request, "http.route", "/api/v1/conversations/:id/messages") || !hasAttr(task, "asynq.task.type", "message:send") {
		t.Errorf("attributes: request %v, task %v", request.Attributes, task.Attributes)
	}

	var webhook tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "POST /webhooks/:type/:channel_id" {
			webhook = s
		}
		if strings.Contains(s.Name+"/", "/"+conv+"/") || strings.Contains(s.Name+"/", "/"+shop.ChannelID+"/") {
			t.Errorf("span name %q carries an id", s.Name)
		}
		if s.Name == "GET /metrics" || strings.Contains(s.Name, "/ws") {
			t.Errorf("span %q should not be traced", s.Name)
		}
	}
	if webhook.Name == "" || webhook.SpanContext.TraceID() == id {
		t.Errorf("the webhook's span %q should be a trace of its own", webhook.Name)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range traceparent {
		if h != "" {
			t.Errorf("the platform was sent a traceparent header %q", h)
		}
	}
	if len(traceparent) == 0 {
		t.Error("the platform got no call")
	}
}

func hasAttr(s tracetest.SpanStub, key, value string) bool {
	for _, a := range s.Attributes {
		if string(a.Key) == key && a.Value.Emit() == value {
			return true
		}
	}
	return false
}
