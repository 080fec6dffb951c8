// Package tracing follows one piece of work across processes with OpenTelemetry: the
// HTTP request that started it, the asynq task it queued (the trace context rides in
// the task's headers) and the adapter's calls to the platform. It is off unless an OTLP
// endpoint is configured; off, every hook hands back what it was given (no wrapping,
// no headers), so the cost is nil.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/hibiken/asynq"
)

// Options configure tracing.
type Options struct {
	// Endpoint is the OTLP/HTTP collector, e.g. http://otel-collector:4318 (the path
	// /v1/traces is added when the URL has none). Empty: tracing is off.
	Endpoint string
	// ServiceName names this installation's spans (service.name).
	ServiceName string
	// Role is the process's part (serve, worker, all), recorded on every span.
	Role string
	// SampleRatio is the share of traces kept, decided from the trace id so that every
	// process keeps or drops the same traces.
	SampleRatio float64
	// Exporter, when set, receives the spans instead of an OTLP endpoint, synchronously
	// as each ends (tests read them from memory).
	Exporter sdktrace.SpanExporter
}

// Tracing is the process's tracer provider with the hooks that use it. The zero value
// and Off() are off.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	propagator propagation.TextMapPropagator
}

// Off is tracing switched off.
func Off() *Tracing { return &Tracing{} }

// New starts tracing as o says; with neither an endpoint nor an exporter it is Off.
func New(ctx context.Context, o Options) (*Tracing, error) {
	exp := o.Exporter
	var export sdktrace.TracerProviderOption
	switch {
	case exp != nil:
		export = sdktrace.WithSyncer(exp)
	case o.Endpoint != "":
		var err error
		exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesURL(o.Endpoint)))
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", o.Endpoint, err)
		}
		export = sdktrace.WithBatcher(exp)
	default:
		return Off(), nil
	}
	name := o.ServiceName
	if name == "" {
		name = "chatbridge"
	}
	ratio := sdktrace.TraceIDRatioBased(o.SampleRatio)
	provider := sdktrace.NewTracerProvider(
		export,
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", name), attribute.String("chatbridge.role", o.Role))),
		// A caller's sampled flag does not force sampling: anyone on the internet can send
		// a traceparent header with a webhook.
		sdktrace.WithSampler(sdktrace.ParentBased(ratio,
			sdktrace.WithRemoteParentSampled(ratio), sdktrace.WithRemoteParentNotSampled(ratio))),
	)
	return &Tracing{provider: provider, propagator: propagation.TraceContext{}}, nil
}

// tracesURL adds OTLP's traces path to a collector URL that has none.
func tracesURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || strings.Trim(u.Path, "/") != "" {
		return endpoint
	}
	u.Path = "/v1/traces"
	return u.String()
}

// Enabled reports whether spans are recorded.
func (t *Tracing) Enabled() bool { return t != nil && t.provider != nil }

// Shutdown flushes the spans still buffered, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

func (t *Tracing) tracer() trace.Tracer {
	return t.provider.Tracer("github.com/chatbridge/chatbridge")
}

// untraced are paths whose requests make no spans: probes, scrapes, and the WebSocket,
// whose span would last as long as the agent's connection.
var untraced = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/api/v1/ws": true}

// Handler wraps the HTTP server: each request is a server span, continuing the
// caller's trace when it sends one (W3C traceparent). The router names the span after
// its route template once it has matched (see NameSpan).
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if !t.Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(t.propagator),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithFilter(func(r *http.Request) bool { return !untraced[r.URL.Path] }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// NameSpan names the request's span after its route template ("POST
// /api/v1/conversations/:id/messages"), never its path, which carries ids.
func NameSpan(ctx context.Context, method, route string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetName(method + " " + route)
	span.SetAttributes(attribute.String("http.route", route))
}

// Transport wraps an outbound HTTP transport (the adapters' calls to the platforms):
// each call is a client span, child of the task or request making it. No trace header
// is added to the request: platforms have no use for it.
func (t *Tracing) Transport(base http.RoundTripper) http.RoundTripper {
	if !t.Enabled() {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Host }),
	)
}

// TaskHeaders are the asynq task headers that carry ctx's trace to the worker that
// runs the task; nil when tracing is off or ctx has no span.
func (t *Tracing) TaskHeaders(ctx context.Context) map[string]string {
	if !t.Enabled() || !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	carrier := propagation.MapCarrier{}
	t.propagator.Inject(ctx, carrier)
	return carrier
}

// TaskMiddleware runs each task in a consumer span, child of the span that queued it
// when the task's headers carry one; nil when tracing is off.
func (t *Tracing) TaskMiddleware() asynq.MiddlewareFunc {
	if !t.Enabled() {
		return nil
	}
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
			ctx = t.propagator.Extract(ctx, propagation.MapCarrier(task.Headers()))
			attrs := []attribute.KeyValue{attribute.String("asynq.task.type", task.Type())}
			if id, ok := asynq.GetTaskID(ctx); ok {
				attrs = append(attrs, attribute.String("asynq.task.id", id))
			}
			if q, ok := asynq.GetQueueName(ctx); ok {
				attrs = append(attrs, attribute.String("asynq.queue", q))
			}
			if n, ok := asynq.GetRetryCount(ctx); ok {
				attrs = append(attrs, attribute.Int("asynq.task.retried", n))
			}
			ctx, span := t.tracer().Start(ctx, "task "+task.Type(),
				trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
			defer span.End()
			err := next.ProcessTask(ctx, task)
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			return err
		})
	}
}
