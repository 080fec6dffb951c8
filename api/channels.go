package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
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

// channelSummary is what every member of the shop's staff may know of a channel: the
// inbox needs its type and abilities (may an image be attached?).
type channelSummary struct {
	ID        string             `json:"id"`
	ShopID    string             `json:"shop_id"`
	Type      string             `json:"type"`
	Name      string             `json:"name"`
	Abilities channels.Abilities `json:"abilities"`
}

// channelView is a channel as its settings page shows it to supervisors and admins:
// the webhook URL, the settings with secrets masked, and its health.
type channelView struct {
	channelSummary
	WebhookURL string                     `json:"webhook_url"`
	Config     map[string]json.RawMessage `json:"config"`
	SecretsSet []string                   `json:"secrets_set"`
	LastInAt   *string                    `json:"last_in_at"`
	LastOutAt  *string                    `json:"last_out_at"`
	LastError  string                     `json:"last_error"`
}

func (s *Server) summarizeChannel(ch *models.Channel) channelSummary {
	return channelSummary{ID: view.ID(ch.ID), ShopID: view.ID(ch.ShopID), Type: ch.Type, Name: ch.Name,
		Abilities: s.Channels.Abilities(ch.Type)}
}

func (s *Server) viewChannel(ch *models.Channel) (channelView, error) {
	masked, err := s.Channels.Mask(ch)
	if err != nil {
		return channelView{}, err
	}
	v := channelView{channelSummary: s.summarizeChannel(ch), WebhookURL: s.Channels.WebhookURL(ch),
		Config: masked.Config, SecretsSet: masked.SecretsSet, LastError: ch.LastError}
	if ch.LastInAt != nil {
		t := view.Time(*ch.LastInAt)
		v.LastInAt = &t
	}
	if ch.LastOutAt != nil {
		t := view.Time(*ch.LastOutAt)
		v.LastOutAt = &t
	}
	return v, nil
}

// listChannels lists a shop's channels: with settings and health for supervisors and
// admins, as summaries for the rest of the staff.
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
	role := currentUser(c).Role
	if role != models.RoleAdmin && role != models.RoleSupervisor {
		items := make([]channelSummary, 0, len(chs))
		for i := range chs {
			items = append(items, s.summarizeChannel(&chs[i]))
		}
		c.JSON(http.StatusOK, gin.H{"items": items})
		return
	}
	items := make([]channelView, 0, len(chs))
	for i := range chs {
		v, err := s.viewChannel(&chs[i])
		if err != nil {
			s.fail(c, err)
			return
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
