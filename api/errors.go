package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/quickreplies"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	Phrases []string `json:"phrases,omitempty"`
}

func abort(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: message}})
}

func invalid(c *gin.Context, field, reason string) {
	c.AbortWithStatusJSON(http.StatusBadRequest, errorBody{Error: errorDetail{
		Code: "invalid_request", Message: field + ": " + reason, Field: field,
	}})
}

func notFound(c *gin.Context) { abort(c, http.StatusNotFound, "not_found", "not found") }

// fail maps a domain error to its HTTP status: the only place that does.
func (s *Server) fail(c *gin.Context, err error) {
	var (
		badReq  *adapters.BadRequestError
		invErr  *models.InvalidError
		phrases *inbox.ForbiddenPhraseError
		confl   *models.ConflictError
		qrBad   *quickreplies.ForbiddenError
		owned   *inbox.OwnedError
	)
	switch {
	case errors.As(err, &qrBad):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: errorDetail{
			Code: "forbidden_phrase", Message: qrBad.Error(), Phrases: qrBad.Phrases,
		}})
	case errors.As(err, &owned):
		abort(c, http.StatusConflict, "owned_by_other", owned.Error())
	case errors.Is(err, quickreplies.ErrNotAllowed):
		abort(c, http.StatusForbidden, "forbidden", err.Error())
	case errors.As(err, &phrases):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: errorDetail{
			Code: "forbidden_phrase", Message: phrases.Error(), Phrases: phrases.Phrases,
		}})
	case errors.As(err, &badReq):
		c.AbortWithStatusJSON(http.StatusBadRequest, errorBody{Error: errorDetail{
			Code: "invalid_request", Message: badReq.Error(), Field: badReq.Field,
		}})
	case errors.As(err, &invErr):
		invalid(c, invErr.Field, invErr.Reason)
	case errors.As(err, &confl):
		abort(c, http.StatusConflict, "conflict", confl.Reason)
	case errors.Is(err, adapters.ErrUnauthorized):
		abort(c, http.StatusUnauthorized, "unauthorized", err.Error())
	case errors.Is(err, auth.ErrInvalidCredentials):
		abort(c, http.StatusUnauthorized, "unauthorized", "wrong username or password")
	case errors.Is(err, auth.ErrRateLimited):
		abort(c, http.StatusTooManyRequests, "rate_limited", err.Error())
	case errors.Is(err, store.ErrNotFound):
		notFound(c)
	case errors.Is(err, store.ErrDuplicate):
		abort(c, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, channels.ErrUnknownType):
		invalid(c, "type", err.Error())
	case errors.Is(err, store.ErrBadCursor):
		invalid(c, "cursor", "is not a cursor this server gave")
	case errors.Is(err, media.ErrTooLarge):
		abort(c, http.StatusRequestEntityTooLarge, "too_large", err.Error())
	case errors.Is(err, media.ErrUnsupportedType):
		abort(c, http.StatusUnsupportedMediaType, "unsupported_media_type", err.Error())
	case errors.Is(err, media.ErrNotReady):
		abort(c, http.StatusConflict, "not_ready", err.Error())
	case errors.Is(err, media.ErrBadSignature):
		abort(c, http.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, channels.ErrNoConnectionTest):
		abort(c, http.StatusUnprocessableEntity, "not_supported", err.Error())
	case errors.Is(err, inbox.ErrImagesUnsupported):
		abort(c, http.StatusUnprocessableEntity, "images_not_supported", err.Error())
	default:
		requestLog(c).Error("request failed", "err", err)
		abort(c, http.StatusInternalServerError, "internal", "internal error")
	}
}

// bindJSON decodes a JSON body, answering 400 naming the field that does not fit.
func bindJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			invalid(c, typeErr.Field, fmt.Sprintf("has the wrong type (got %s)", typeErr.Value))
			return false
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			abort(c, http.StatusRequestEntityTooLarge, "too_large", "body is larger than 1 MiB")
			return false
		}
		abort(c, http.StatusBadRequest, "invalid_request", "malformed JSON: "+err.Error())
		return false
	}
	return true
}
