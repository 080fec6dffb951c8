package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

const orderKey = "chatbridge.order"

// loadOrder finds the order of the path (ChatBridge's id) in the user's shop.
func (s *Server) loadOrder(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	o, err := s.DB.Order(c.Request.Context(), shopScope(currentUser(c)), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(orderKey, o)
	c.Next()
}

func order(c *gin.Context) *models.Order { return c.MustGet(orderKey).(*models.Order) }

type noteRequest struct {
	Flag     string `json:"flag"`
	Note     string `json:"note"`
	Category string `json:"category"`
}

// setOrderNote stores a note and flag and queues its write-back to the marketplace.
func (s *Server) setOrderNote(c *gin.Context) {
	var req noteRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Flag == "" {
		invalid(c, "flag", "is required")
		return
	}
	ctx := c.Request.Context()
	if _, err := s.Orders.SetNote(ctx, currentUser(c), order(c), req.Flag, req.Note, req.Category); err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.DB.Order(ctx, 0, order(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewOrder(o))
}

func (s *Server) listOrderNotes(c *gin.Context) {
	notes, err := s.DB.OrderNotes(c.Request.Context(), order(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.OrderNote, 0, len(notes))
	for i := range notes {
		items = append(items, view.NewOrderNote(&notes[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
