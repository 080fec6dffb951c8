package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/tickets"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

const ticketKey = "chatbridge.ticket"

type ticketRequest struct {
	Category string  `json:"category"`
	Title    string  `json:"title"`
	Detail   string  `json:"detail"`
	OwnerID  *string `json:"owner_id"`
	DueAt    *string `json:"due_at"`
}

// parseID reads an id field of a request body, answering 400 naming it.
func parseID(c *gin.Context, field string, v *string) (uint64, bool) {
	if v == nil || *v == "" {
		invalid(c, field, "is required")
		return 0, false
	}
	id, err := strconv.ParseUint(*v, 10, 64)
	if err != nil {
		invalid(c, field, "must be a user id")
		return 0, false
	}
	return id, true
}

// parseTimeField reads an RFC 3339 time field, answering 400 naming it.
func parseTimeField(c *gin.Context, field string, v *string) (time.Time, bool) {
	if v == nil || *v == "" {
		invalid(c, field, "is required (RFC 3339)")
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		invalid(c, field, "must be an RFC 3339 time such as 2026-11-23T18:00:00+08:00")
		return time.Time{}, false
	}
	return t, true
}

// createTicket opens a ticket from the conversation.
func (s *Server) createTicket(c *gin.Context) {
	var req ticketRequest
	if !bindJSON(c, &req) {
		return
	}
	owner, ok := parseID(c, "owner_id", req.OwnerID)
	if !ok {
		return
	}
	due, ok := parseTimeField(c, "due_at", req.DueAt)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	t, err := s.Tickets.Create(ctx, currentUser(c), conversation(c), tickets.NewTicket{
		Category: models.Category(req.Category), Title: req.Title, Detail: req.Detail, OwnerID: owner, DueAt: due})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.respondTicket(c, http.StatusCreated, t.ID)
}

// listConversationTickets lists the conversation's tickets, open ones first (the sidebar).
func (s *Server) listConversationTickets(c *gin.Context) {
	s.writeTickets(c, store.TicketFilter{ShopID: conversation(c).ShopID, ConversationID: conversation(c).ID})
}

// listTickets lists the shop's tickets: open ones soonest due first, closed ones latest
// closed first.
func (s *Server) listTickets(c *gin.Context) {
	u := currentUser(c)
	f := store.TicketFilter{ShopID: shopScope(u), Status: models.TicketOpen, Cursor: c.Query("cursor")}
	switch v := c.Query("status"); v {
	case "", "open":
	case "closed":
		f.Status = models.TicketClosed
	default:
		invalid(c, "status", "must be open or closed")
		return
	}
	switch v := c.Query("owner"); v {
	case "":
	case "me":
		f.OwnerID = &u.ID
	default:
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			invalid(c, "owner", "must be me or a user id")
			return
		}
		f.OwnerID = &id
	}
	switch v := c.Query("overdue"); v {
	case "", "false":
	case "true":
		if f.Status != models.TicketOpen {
			invalid(c, "overdue", "applies to open tickets only")
			return
		}
		now := s.Tickets.Now()
		f.OverdueAt = &now
	default:
		invalid(c, "overdue", "must be true or false")
		return
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			invalid(c, "limit", "must be between 1 and 200")
			return
		}
		f.Limit = n
	}
	s.writeTickets(c, f)
}

func (s *Server) writeTickets(c *gin.Context, f store.TicketFilter) {
	rows, next, err := s.DB.ListTickets(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.Tickets.Now()
	items := make([]view.Ticket, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewTicket(&rows[i], now))
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nextCursor})
}

// loadTicket finds the ticket of the path in the user's shop: another shop's answers 404.
func (s *Server) loadTicket(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	row, err := s.DB.Ticket(c.Request.Context(), shopScope(currentUser(c)), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(ticketKey, row)
	c.Next()
}

func ticket(c *gin.Context) *store.TicketRow { return c.MustGet(ticketKey).(*store.TicketRow) }

func (s *Server) getTicket(c *gin.Context) {
	c.JSON(http.StatusOK, view.NewTicket(ticket(c), s.Tickets.Now()))
}

func (s *Server) respondTicket(c *gin.Context, status int, id uint64) {
	row, err := s.DB.Ticket(c.Request.Context(), 0, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, view.NewTicket(row, s.Tickets.Now()))
}

// updateTicket changes an open ticket's title, detail, owner or due time.
func (s *Server) updateTicket(c *gin.Context) {
	var req struct {
		Title   *string `json:"title"`
		Detail  *string `json:"detail"`
		OwnerID *string `json:"owner_id"`
		DueAt   *string `json:"due_at"`
	}
	if !bindJSON(c, &req) {
		return
	}
	ch := tickets.Change{Title: req.Title, Detail: req.Detail}
	if req.OwnerID != nil {
		id, ok := parseID(c, "owner_id", req.OwnerID)
		if !ok {
			return
		}
		ch.OwnerID = &id
	}
	if req.DueAt != nil {
		due, ok := parseTimeField(c, "due_at", req.DueAt)
		if !ok {
			return
		}
		ch.DueAt = &due
	}
	if err := s.Tickets.Update(c.Request.Context(), currentUser(c), ticket(c), ch); err != nil {
		s.fail(c, err)
		return
	}
	s.respondTicket(c, http.StatusOK, ticket(c).ID)
}

// closeTicket records the outcome and, when asked, tells the buyer.
func (s *Server) closeTicket(c *gin.Context) {
	var req struct {
		Outcome     string `json:"outcome"`
		NotifyBuyer bool   `json:"notify_buyer"`
		Message     string `json:"message"`
		Override    bool   `json:"override"`
	}
	if !bindJSON(c, &req) {
		return
	}
	err := s.Tickets.Close(c.Request.Context(), currentUser(c), ticket(c), tickets.Closing{
		Outcome: req.Outcome, NotifyBuyer: req.NotifyBuyer, Message: req.Message, Override: req.Override})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.respondTicket(c, http.StatusOK, ticket(c).ID)
}
