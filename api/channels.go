package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/view"
)

type createChannelRequest struct {
	ShopID string          `json:"shop_id"`
	Type   string          `json:"type"`
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
}

func (s *Server) createChannel(c *gin.Context) {
	var req createChannelRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Type == "" {
		invalid(c, "type", "is required")
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 191 {
		invalid(c, "name", "is required (at most 191 bytes)")
		return
	}
	shopID, ok := s.shopParam(c, req.ShopID)
	if !ok {
		return
	}
	created, err := s.Channels.Create(c.Request.Context(), shopID, req.Type, name, req.Config)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{
		"id": view.ID(created.Channel.ID), "shop_id": view.ID(shopID), "type": created.Channel.Type,
		"name": created.Channel.Name, "secret": created.Secret, "webhook_url": created.WebhookURL,
	})
}

type channelView struct {
	ID         string  `json:"id"`
	ShopID     string  `json:"shop_id"`
	Type       string  `json:"type"`
	Name       string  `json:"name"`
	WebhookURL string  `json:"webhook_url"`
	LastInAt   *string `json:"last_in_at"`
	LastOutAt  *string `json:"last_out_at"`
	LastError  string  `json:"last_error"`
}

func (s *Server) listChannels(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	chs, err := s.DB.Channels(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]channelView, 0, len(chs))
	for i := range chs {
		ch := &chs[i]
		v := channelView{ID: view.ID(ch.ID), ShopID: view.ID(ch.ShopID), Type: ch.Type, Name: ch.Name,
			WebhookURL: s.Channels.WebhookURL(ch), LastError: ch.LastError}
		if ch.LastInAt != nil {
			t := view.Time(*ch.LastInAt)
			v.LastInAt = &t
		}
		if ch.LastOutAt != nil {
			t := view.Time(*ch.LastOutAt)
			v.LastOutAt = &t
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
