package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// getTracking answers an order's parcel and its timeline, newest first (parcel null
// when the order has no tracking number or its tracking has not started).
func (s *Server) getTracking(c *gin.Context) {
	p, evs, err := s.Logistics.Tracking(c.Request.Context(), order(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	events := make([]view.ParcelEvent, 0, len(evs))
	for i := range evs {
		events = append(events, view.NewParcelEvent(&evs[i]))
	}
	var parcel *view.Parcel
	if p != nil {
		v := view.NewParcel(p)
		parcel = &v
	}
	c.JSON(http.StatusOK, gin.H{"parcel": parcel, "events": events})
}

// logisticsProvider is a provider account as the settings page shows it: never its
// secrets, and the callback URL to give the provider.
type logisticsProvider struct {
	ID          string         `json:"id"`
	ShopID      string         `json:"shop_id"`
	Provider    string         `json:"provider"`
	Config      map[string]any `json:"config"`
	CallbackURL string         `json:"callback_url"`
	CreatedAt   string         `json:"created_at"`
	UpdatedAt   string         `json:"updated_at"`
}

func newLogisticsProvider(v *logistics.AccountView) logisticsProvider {
	a := v.Account
	return logisticsProvider{ID: view.ID(a.ID), ShopID: view.ID(a.ShopID), Provider: a.Provider, Config: v.Config,
		CallbackURL: v.CallbackURL, CreatedAt: view.Time(a.CreatedAt), UpdatedAt: view.Time(a.UpdatedAt)}
}

func (s *Server) listLogisticsProviders(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	accts, err := s.Logistics.Accounts(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]logisticsProvider, 0, len(accts))
	for i := range accts {
		items = append(items, newLogisticsProvider(&accts[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type logisticsProviderRequest struct {
	ShopID   string          `json:"shop_id"`
	Provider string          `json:"provider"`
	Config   json.RawMessage `json:"config"`
}

// saveLogisticsProvider stores a shop's account with a provider (201), or replaces the
// credentials of the one it has (200).
func (s *Server) saveLogisticsProvider(c *gin.Context) {
	var req logisticsProviderRequest
	if !bindJSON(c, &req) {
		return
	}
	shopID, ok := s.shopParam(c, req.ShopID)
	if !ok {
		return
	}
	if req.Provider == "" {
		invalid(c, "provider", "is required (kuaidi100 or aftership)")
		return
	}
	v, created, err := s.Logistics.SaveAccount(c.Request.Context(), shopID, req.Provider, req.Config)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, newLogisticsProvider(v))
}

// logisticsPush receives a provider's push: the account is found from the URL, the
// body (at most 1 MiB) verified and stored before the provider's expected answer goes
// out. Unknown account 404, bad signature 401, unreadable body 400 naming the field;
// a storage failure 503, so the provider pushes again.
func (s *Server) logisticsPush(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("account_id"), 10, 64)
	if err != nil {
		abort(c, http.StatusNotFound, "not_found", "unknown provider account")
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
	reply, err := s.Logistics.HandlePush(c.Request.Context(), c.Param("provider"), id, c.Request, body)
	var bad *adapters.BadRequestError
	var inv *models.InvalidError
	switch {
	case err == nil:
		c.Data(http.StatusOK, reply.ContentType, reply.Body)
	case errors.Is(err, store.ErrNotFound):
		abort(c, http.StatusNotFound, "not_found", "unknown provider account")
	case errors.Is(err, adapters.ErrUnauthorized), errors.As(err, &bad), errors.As(err, &inv):
		s.fail(c, err)
	default:
		requestLog(c).Error("logistics push", "provider", c.Param("provider"), "account_id", id, "err", err)
		abort(c, http.StatusServiceUnavailable, "unavailable", "could not store the push, retry later")
	}
}
