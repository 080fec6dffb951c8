package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// SessionCookie carries the session token for the web app.
const SessionCookie = "chatbridge_session"

const userKey = "chatbridge.user"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Username == "" {
		invalid(c, "username", "is required")
		return
	}
	if req.Password == "" {
		invalid(c, "password", "is required")
		return
	}
	token, u, err := s.Auth.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookie(c, token, int(s.SessionTTL.Seconds()))
	c.JSON(http.StatusOK, gin.H{"token": token, "user": view.NewUser(u)})
}

func (s *Server) setSessionCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.CookieSecure, SameSite: http.SameSiteStrictMode,
	})
}

// sessionToken reads the bearer token, else the session cookie, else ?token= (for
// WebSocket clients that cannot set headers).
func sessionToken(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(SessionCookie); err == nil && ck != "" {
		return ck
	}
	if c.FullPath() == "/api/v1/ws" {
		return c.Query("token")
	}
	return ""
}

func (s *Server) authenticate(c *gin.Context) {
	u, err := s.Auth.Authenticate(c.Request.Context(), sessionToken(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Next()
}

func currentUser(c *gin.Context) *models.User {
	return c.MustGet(userKey).(*models.User)
}

// requireRole lets only the given roles through: others get 403.
func (s *Server) requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, string(currentUser(c).Role)) {
			abort(c, http.StatusForbidden, "forbidden", "your role may not do this")
			return
		}
		c.Next()
	}
}

// shopScope is the shop a user works in; 0 for admins, who see every shop.
func shopScope(u *models.User) uint64 {
	if u.Role == models.RoleAdmin || u.ShopID == nil {
		return 0
	}
	return *u.ShopID
}

// ownsShop reports whether a user may act on a shop's data.
func ownsShop(u *models.User, shopID uint64) bool {
	scope := shopScope(u)
	return scope == 0 && u.Role == models.RoleAdmin || scope == shopID
}

func (s *Server) logout(c *gin.Context) {
	if err := s.Auth.Logout(c.Request.Context(), sessionToken(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, view.NewUser(currentUser(c))) }
