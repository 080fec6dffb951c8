package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/store"
)

// MaxWebhookBody is the largest webhook body accepted.
const MaxWebhookBody = 1 << 20

// PollQueue queues a pull of a channel whose platform said something is waiting, or
// that a user asked to sync now.
type PollQueue interface {
	EnqueuePoll(ctx context.Context, channelID uint64, hint string) error
	EnqueuePollNow(ctx context.Context, channelID uint64) error
}

// webhookChannel finds the channel of a webhook URL and its adapter, or answers.
func (s *Server) webhookChannel(c *gin.Context) (adapters.Channel, adapters.Adapter, bool) {
	id, err := strconv.ParseUint(c.Param("channel_id"), 10, 64)
	if err != nil {
		abort(c, http.StatusNotFound, "not_found", "unknown channel")
		return adapters.Channel{}, nil, false
	}
	ch, err := s.Channels.Load(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && ch.Type != c.Param("type") {
		abort(c, http.StatusNotFound, "not_found", "unknown channel")
		return ch, nil, false
	}
	if err != nil {
		abort(c, http.StatusServiceUnavailable, "unavailable", "channel store unavailable, retry later")
		requestLog(c).Error("load channel", "channel_id", id, "err", err)
		return ch, nil, false
	}
	adapter, ok := s.Registry.Lookup(ch.Type)
	if !ok {
		abort(c, http.StatusNotFound, "not_found", "no adapter for channel type "+ch.Type)
		return ch, nil, false
	}
	return ch, adapter, true
}

// verifyWebhookURL answers a platform's check of the webhook URL (a GET), for the
// platforms that make one.
func (s *Server) verifyWebhookURL(c *gin.Context) {
	ch, adapter, ok := s.webhookChannel(c)
	if !ok {
		return
	}
	verifier, ok := adapter.(adapters.URLVerifier)
	if !ok {
		abort(c, http.StatusMethodNotAllowed, "method_not_allowed", ch.Type+" webhooks are POSTed")
		return
	}
	reply, err := verifier.VerifyURL(c.Request.Context(), ch, c.Request)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, reply.ContentType, reply.Body)
}

// webhook receives a platform's delivery: the channel is found, the body read (at most
// 1 MiB), verified and parsed by the channel's adapter, and every event committed
// before the 200 goes out, so that a platform which sees 200 never needs to resend.
// A platform that only says something is waiting gets its pull queued first.
func (s *Server) webhook(c *gin.Context) {
	ch, adapter, ok := s.webhookChannel(c)
	if !ok {
		return
	}
	ctx, id := c.Request.Context(), ch.ID
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
		var err error
		if ev.Poll != nil {
			err = s.Polls.EnqueuePoll(ctx, ch.ID, ev.Poll.Hint)
		} else {
			err = s.Inbox.Ingest(ctx, ch, ev)
		}
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
	if ack, ok := adapter.(adapters.Acknowledger); ok {
		reply := ack.Ack(!accepted)
		c.Data(http.StatusOK, reply.ContentType, reply.Body)
		return
	}
	if !accepted {
		c.JSON(http.StatusOK, gin.H{"status": "duplicate"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "accepted"})
}
