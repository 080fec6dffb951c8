package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/channels"
)

// listChannelTypes answers every registered channel type with the fields of its
// settings form and its abilities.
func (s *Server) listChannelTypes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": s.Channels.Types()})
}

type updateChannelRequest struct {
	Name   *string                    `json:"name"`
	Config map[string]json.RawMessage `json:"config"`
}

// updateChannel changes a channel's name and settings; secret fields sent empty keep
// their stored value.
func (s *Server) updateChannel(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	var req updateChannelRequest
	if !bindJSON(c, &req) {
		return
	}
	ch, err := s.Channels.Update(c.Request.Context(), shopScope(currentUser(c)), id, channels.Update{Name: req.Name, Config: req.Config})
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.viewChannel(ch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// testChannel checks a channel's credentials against its platform (and registers its
// webhook URL where the platform takes it by API); the answer says ok or the
// platform's error in words.
func (s *Server) testChannel(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	res, err := s.Channels.Test(c.Request.Context(), shopScope(currentUser(c)), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
