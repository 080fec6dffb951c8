package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hibiken/asynq"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Off (no endpoint, no exporter), every hook hands back what it was given: no handler
// or transport wrapper, no task headers, no task middleware.
func TestOffChangesNothing(t *testing.T) {
	tr, err := New(context.Background(), Options{ServiceName: "x", SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Enabled() {
		t.Fatal("tracing is on without an endpoint")
	}
	mux := http.NewServeMux()
	if got, ok := tr.Handler(mux).(*http.ServeMux); !ok || got != mux {
		t.Error("Handler wrapped the server while off")
	}
	base := &http.Transport{}
	if got, ok := tr.Transport(base).(*http.Transport); !ok || got != base {
		t.Error("Transport wrapped the client while off")
	}
	if tr.TaskHeaders(context.Background()) != nil || tr.TaskMiddleware() != nil {
		t.Error("task hooks are set while off")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTracesURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://collector:4318":            "http://collector:4318/v1/traces",
		"http://collector:4318/":           "http://collector:4318/v1/traces",
		"https://otlp.example.test/custom": "https://otlp.example.test/custom",
	} {
		if got := tracesURL(in); got != want {
			t.Errorf("tracesURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A task carries the span that queued it in its headers; the worker's span of the task
// is that span's child, in the same trace.
func TestTaskContinuesTheTraceThatQueuedIt(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr, err := New(context.Background(), Options{SampleRatio: 1, Exporter: exp, Role: "all"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tr.tracer().Start(context.Background(), "request")
	headers := tr.TaskHeaders(ctx)
	parent.End()
	if headers["traceparent"] == "" {
		t.Fatalf("headers %v carry no traceparent", headers)
	}
	var inner trace.SpanContext
	h := tr.TaskMiddleware()(asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error {
		inner = trace.SpanContextFromContext(ctx)
		return nil
	}))
	if err := h.ProcessTask(context.Background(), asynq.NewTaskWithHeaders("message:send", nil, headers)); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the request and the task", len(spans))
	}
	task := spans[1]
	if task.Name != "task message:send" || task.Parent.SpanID() != parent.SpanContext().SpanID() ||
		task.SpanContext.TraceID() != parent.SpanContext().TraceID() || inner.SpanID() != task.SpanContext.SpanID() {
		t.Fatalf("task span %+v is not the request's child, or not the handler's context", task)
	}
	if tr.TaskHeaders(context.Background()) != nil {
		t.Error("a context without a span gave headers")
	}
}

// A caller cannot force traces on: with a ratio of 0, a webhook that arrives with a
// sampled traceparent still records nothing.
func TestCallersSampledFlagDoesNotForceSampling(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr, err := New(context.Background(), Options{SampleRatio: 0, Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	h := tr.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	req := httptest.NewRequest(http.MethodPost, "/webhooks/generic/1", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans recorded at ratio 0 because the caller asked", n)
	}

	// At ratio 1 the same request is traced, in the caller's trace.
	exp2 := tracetest.NewInMemoryExporter()
	tr2, _ := New(context.Background(), Options{SampleRatio: 1, Exporter: exp2})
	tr2.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NameSpan(r.Context(), r.Method, "/webhooks/:type/:channel_id")
	})).ServeHTTP(httptest.NewRecorder(), req)
	spans := exp2.GetSpans()
	if len(spans) != 1 || spans[0].Name != "POST /webhooks/:type/:channel_id" || spans[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("spans %+v, want one named after the route in the caller's trace", spans)
	}
}
