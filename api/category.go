package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// setCategory classifies the conversation's inquiry (a complaint registers one).
func (s *Server) setCategory(c *gin.Context) {
	var req struct {
		Category *string `json:"category"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if req.Category == nil {
		invalid(c, "category", "is required")
		return
	}
	if err := s.Inquiry.SetCategory(c.Request.Context(), currentUser(c), conversation(c), models.Category(*req.Category)); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

// listComplaints lists the conversation's complaints with their deadlines, oldest first.
func (s *Server) listComplaints(c *gin.Context) {
	rows, err := s.Inquiry.Complaints(c.Request.Context(), conversation(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.Inquiry.Now()
	items := make([]view.Complaint, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewComplaint(&rows[i], now))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
