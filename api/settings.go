package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// getSettings answers the user's shop's settings (admins name the shop with ?shop_id=).
func (s *Server) getSettings(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	v, err := s.Settings.Get(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// putSettingsSection replaces one section of the shop's settings.
func (s *Server) putSettingsSection(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var raw json.RawMessage
	if !bindJSON(c, &raw) {
		return
	}
	v, err := s.Settings.ReplaceSection(c.Request.Context(), shopID, c.Param("section"), raw)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
