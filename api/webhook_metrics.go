package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/metrics"
)

// webhookOutcome names how a platform webhook was answered, from its status and
// whether a 200 only repeated what was already stored.
func webhookOutcome(status int, duplicate bool) string {
	switch {
	case status == http.StatusOK && duplicate:
		return metrics.WebhookDuplicate
	case status == http.StatusOK:
		return metrics.WebhookAccepted
	case status == http.StatusUnauthorized:
		return metrics.WebhookUnauthorized
	case status == http.StatusBadRequest:
		return metrics.WebhookBadRequest
	case status == http.StatusRequestEntityTooLarge:
		return metrics.WebhookTooLarge
	case status == http.StatusNotFound:
		return metrics.WebhookNotFound
	case status == http.StatusServiceUnavailable:
		return metrics.WebhookUnavailable
	default:
		return metrics.WebhookError
	}
}

// webhookObservation collects what one webhook's metrics need while it is handled;
// done records them. The channel type is taken only from a channel that exists, so a
// caller posting to made-up URLs adds no label values (it counts as "unknown").
type webhookObservation struct {
	start       time.Time
	channelType string
	duplicate   bool
}

func observeWebhook() *webhookObservation {
	return &webhookObservation{start: time.Now(), channelType: "unknown"}
}

func (o *webhookObservation) done(s *Server, c *gin.Context) {
	if s.Metrics != nil {
		s.Metrics.Webhook(o.channelType, webhookOutcome(c.Writer.Status(), o.duplicate), time.Since(o.start))
	}
}
