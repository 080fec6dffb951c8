package generic

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/chatbridge/chatbridge/adapters"
)

// Traits: the generic channel carries image replies (as a signed URL in the callback).
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{SendsImages: true} }

// maxMediaBytes is the most FetchMedia ever reads, whatever the core's own (lower,
// configurable) limit: a body announced above it is refused before it is read.
const maxMediaBytes = 1 << 30

// FetchMedia downloads the image of an image message: a GET of its URL. A 2xx answer
// gives the body (the core reads at most its size limit of it); 429 and 503 with
// Retry-After say when to come back; other 4xx answers are permanent (the link is dead
// or forbidden); anything else is retried.
func (a *Adapter) FetchMedia(ctx context.Context, _ adapters.Channel, ref adapters.MediaRef) (adapters.Media, error) {
	if !absoluteHTTP(ref.ID) {
		return adapters.Media{}, &adapters.PermanentError{Err: fmt.Errorf("generic: media URL %q is not an absolute http(s) URL", ref.ID)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref.ID, nil)
	if err != nil {
		return adapters.Media{}, &adapters.PermanentError{Err: fmt.Errorf("generic: media request: %w", err)}
	}
	req.Header.Set("Accept", "image/*")
	resp, err := a.client.Do(req)
	if err != nil {
		return adapters.Media{}, fmt.Errorf("generic: fetch image: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		err := fmt.Errorf("generic: image URL answered %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
		if after, ok := retryAfter(resp); ok {
			return adapters.Media{}, &adapters.RetryAfterError{After: after, Err: err}
		}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return adapters.Media{}, &adapters.PermanentError{Err: err}
		}
		return adapters.Media{}, err
	}
	if resp.ContentLength > maxMediaBytes {
		resp.Body.Close()
		return adapters.Media{}, &adapters.PermanentError{Err: fmt.Errorf("generic: image of %d bytes is too large", resp.ContentLength)}
	}
	return adapters.Media{Body: resp.Body, ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength}, nil
}

// TestConnection POSTs a signed {"event":"ping"} to the callback URL: a 2xx answer
// shows that the relay is reachable and checks signatures with the channel's secret.
func (a *Adapter) TestConnection(ctx context.Context, ch adapters.Channel) error {
	return a.Post(ctx, ch, map[string]string{"event": "ping"})
}
