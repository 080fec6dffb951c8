package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

const alertKey = "chatbridge.alert"

// loadAlert finds the alert of the path in the user's shop, if the user may see it.
func (s *Server) loadAlert(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	u := currentUser(c)
	a, err := s.DB.Alert(c.Request.Context(), shopScope(u), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !alerts.Visible(u, &a.Alert) {
		notFound(c)
		return
	}
	c.Set(alertKey, a)
	c.Next()
}

// alertFilter reads the list query and narrows it to what the user may see.
func (s *Server) alertFilter(c *gin.Context) (store.AlertFilter, bool) {
	u := currentUser(c)
	f := store.AlertFilter{ShopID: shopScope(u)}
	if v := c.Query("status"); v != "" {
		st := models.AlertStatus(v)
		if st != models.AlertOpen && st != models.AlertAcknowledged {
			invalid(c, "status", "must be open or acknowledged")
			return f, false
		}
		f.Status = st
	}
	if v := c.Query("kind"); v != "" {
		f.Kinds = []string{v}
	}
	for _, p := range []struct {
		name string
		dst  *uint64
	}{{"conversation_id", &f.ConversationID}, {"order_ref", &f.OrderID}, {"before", &f.BeforeID}} {
		if v := c.Query(p.name); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				invalid(c, p.name, "must be an id")
				return f, false
			}
			*p.dst = n
		}
	}
	switch u.Role {
	case models.RolePacker:
		f.Audiences = []models.Role{models.RolePacker}
	case models.RoleAgent:
		f.Audiences, f.ForUser = []models.Role{models.RoleAgent}, &u.ID
	default:
		if v := c.Query("audience"); v != "" {
			f.Audiences = []models.Role{models.Role(v)}
		}
	}
	return f, true
}

// listAlerts lists the alerts the user may see, open ones first.
func (s *Server) listAlerts(c *gin.Context) {
	f, ok := s.alertFilter(c)
	if !ok {
		return
	}
	s.writeAlerts(c, f)
}

// listPackerAlerts is the packers' list (the contract's /packer/alerts).
func (s *Server) listPackerAlerts(c *gin.Context) {
	f, ok := s.alertFilter(c)
	if !ok {
		return
	}
	f.Audiences, f.ForUser = []models.Role{models.RolePacker}, nil
	s.writeAlerts(c, f)
}

func (s *Server) writeAlerts(c *gin.Context, f store.AlertFilter) {
	f.Limit, _ = strconv.Atoi(c.Query("limit"))
	rows, err := s.DB.ListAlerts(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.Alert, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewAlert(&rows[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// ackAlert acknowledges an alert; acknowledging it again keeps the first acknowledgement.
func (s *Server) ackAlert(c *gin.Context) {
	a := c.MustGet(alertKey).(*store.AlertRow)
	row, err := s.Alerts.Acknowledge(c.Request.Context(), currentUser(c), a)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAlert(row))
}
