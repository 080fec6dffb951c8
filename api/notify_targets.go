package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/view"
)

type notifyTargetRequest struct {
	ShopID   string                      `json:"shop_id"`
	Type     string                      `json:"type"`
	Config   channels.NotifyTargetConfig `json:"config"`
	Audience []string                    `json:"audience"`
}

// createNotifyTarget connects a staff group robot; its URL and secret are not shown again.
func (s *Server) createNotifyTarget(c *gin.Context) {
	var req notifyTargetRequest
	if !bindJSON(c, &req) {
		return
	}
	shopID, ok := s.shopParam(c, req.ShopID)
	if !ok {
		return
	}
	nt, err := s.Channels.CreateNotifyTarget(c.Request.Context(), shopID, req.Type, req.Config, req.Audience)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": view.ID(nt.ID), "shop_id": view.ID(nt.ShopID), "type": nt.Type,
		"audience": strings.Split(nt.Audience, ",")})
}
