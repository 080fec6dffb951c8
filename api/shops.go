package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

func (s *Server) createShop(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if !bindJSON(c, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 191 {
		invalid(c, "name", "is required (at most 191 bytes)")
		return
	}
	shop, err := s.DB.CreateShop(c.Request.Context(), name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": view.ID(shop.ID), "name": shop.Name})
}

type createUserRequest struct {
	ShopID      string   `json:"shop_id"`
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	Role        string   `json:"role"`
	DisplayName string   `json:"display_name"`
	AgentNo     string   `json:"agent_no"`
	Skills      []string `json:"skills"`
	MaxOpen     int      `json:"max_open"`
}

// shopParam reads a shop id the user may act on: 404 for another shop's, like any
// other record of another shop.
func (s *Server) shopParam(c *gin.Context, raw string) (uint64, bool) {
	u := currentUser(c)
	if raw == "" && u.ShopID != nil {
		return *u.ShopID, true
	}
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		invalid(c, "shop_id", "is required")
		return 0, false
	}
	if !ownsShop(u, id) {
		notFound(c)
		return 0, false
	}
	if _, err := s.DB.Shop(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return 0, false
	}
	return id, true
}

func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	if !bindJSON(c, &req) {
		return
	}
	role := models.Role(req.Role)
	switch {
	case !role.Valid():
		invalid(c, "role", "must be admin, supervisor, agent or packer")
		return
	case role == models.RoleAdmin && currentUser(c).Role != models.RoleAdmin:
		abort(c, http.StatusForbidden, "forbidden", "only an admin creates admins")
		return
	case strings.TrimSpace(req.Username) == "" || len(req.Username) > 191:
		invalid(c, "username", "is required (at most 191 bytes)")
		return
	case len(req.Password) < 8:
		invalid(c, "password", "must be at least 8 characters")
		return
	case req.MaxOpen < 0:
		invalid(c, "max_open", "must not be negative")
		return
	}
	for _, sk := range req.Skills {
		if !models.Stage(sk).Valid() {
			invalid(c, "skills", "each must be pre_sale, in_sale or after_sale")
			return
		}
	}
	u := &models.User{Username: strings.TrimSpace(req.Username), Role: role, DisplayName: req.DisplayName,
		AgentNo: req.AgentNo, Skills: strings.Join(req.Skills, ","), MaxOpen: req.MaxOpen}
	if role != models.RoleAdmin {
		shopID, ok := s.shopParam(c, req.ShopID)
		if !ok {
			return
		}
		u.ShopID = &shopID
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	u.PasswordHash = hash
	if err := s.DB.CreateUser(c.Request.Context(), u); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, view.NewUser(u))
}
