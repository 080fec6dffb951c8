package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/store"
)

// MaxWebhookBody is the largest webhook body accepted.
const MaxWebhookBody = 1 << 20

// webhook receives a platform's delivery: the channel is found, the body read (at most
// 1 MiB), verified and parsed by the channel's adapter, and every event committed
// before the 200 goes out, so that a platform which sees 200 never needs to resend.
func (s *Server) webhook(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("channel_id"), 10, 64)
	if err != nil {
		abort(c, http.StatusNotFound, "not_found", "unknown channel")
		return
	}
	ctx := c.Request.Context()
	ch, err := s.Channels.Load(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && ch.Type != c.Param("type") {
		abort(c, http.StatusNotFound, "not_found", "unknown channel")
		return
	}
	if err != nil {
		abort(c, http.StatusServiceUnavailable, "unavailable", "channel store unavailable, retry later")
		requestLog(c).Error("load channel", "channel_id", id, "err", err)
		return
	}
	adapter, ok := s.Registry.Lookup(ch.Type)
	if !ok {
		abort(c, http.StatusNotFound, "not_found", "no adapter for channel type "+ch.Type)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			abort(c, http.StatusRequestEntityTooLarge, "too_large", "body is larger than 1 MiB")
			return
		}
		abort(c, http.StatusBadRequest, "invalid_request", "could not read body: "+err.Error())
		return
	}
	events, err := adapter.ParseWebhook(ctx, ch, c.Request, body)
	if err != nil {
		s.fail(c, err)
		return
	}
	accepted := len(events) == 0
	for _, ev := range events {
		err := s.Inbox.Ingest(ctx, ch, ev)
		switch {
		case errors.Is(err, inbox.ErrDuplicate):
		case err != nil:
			// Not stored: the platform must deliver again.
			requestLog(c).Error("ingest", "channel_id", id, "err", err)
			abort(c, http.StatusServiceUnavailable, "unavailable", "could not store the event, retry later")
			return
		default:
			accepted = true
		}
	}
	if !accepted {
		c.JSON(http.StatusOK, gin.H{"status": "duplicate"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "accepted"})
}
