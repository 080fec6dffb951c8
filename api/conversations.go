package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

const convKey = "chatbridge.conversation"

func (s *Server) listConversations(c *gin.Context) {
	u := currentUser(c)
	f := store.ConversationFilter{ShopID: shopScope(u), Query: c.Query("q"), Cursor: c.Query("cursor")}
	if u.Role == models.RoleAgent {
		f.VisibleTo = &u.ID
	}
	if v := c.Query("stage"); v != "" {
		if !models.Stage(v).Valid() {
			invalid(c, "stage", "must be pre_sale, in_sale or after_sale")
			return
		}
		f.Stage = models.Stage(v)
	}
	if v := c.Query("status"); v != "" {
		if !models.ConversationStatus(v).Valid() {
			invalid(c, "status", "must be open, pending or resolved")
			return
		}
		f.Status = models.ConversationStatus(v)
	}
	switch v := c.Query("assignee"); v {
	case "", "none":
		f.Assignee = v
	case "me":
		f.Assignee = view.ID(u.ID)
	default:
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			invalid(c, "assignee", "must be me, none or a user id")
			return
		}
		f.Assignee = v
	}
	if v := c.Query("category"); v != "" {
		if v != "none" && !models.Category(v).Valid() {
			invalid(c, "category", "must be none, consultation, order, logistics, return_refund or complaint")
			return
		}
		f.Category = v
	}
	if v := c.Query("channel_id"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			invalid(c, "channel_id", "must be a channel id")
			return
		}
		f.ChannelID = id
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			invalid(c, "limit", "must be between 1 and 200")
			return
		}
		f.Limit = n
	}
	if f.Label = c.Query("label"); len(f.Label) > 128 {
		invalid(c, "label", "is too long")
		return
	}
	if len(f.Query) > 200 {
		invalid(c, "q", "must be at most 200 bytes")
		return
	}
	rows, next, err := s.DB.ListConversations(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.Conversation, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewConversation(&rows[i]))
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nextCursor})
}

// loadConversation finds the conversation of the path in the user's shop: another
// shop's answers 404.
func (s *Server) loadConversation(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	row, err := s.DB.ConversationRow(c.Request.Context(), shopScope(currentUser(c)), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(convKey, row)
	c.Next()
}

func conversation(c *gin.Context) *store.ConversationRow {
	return c.MustGet(convKey).(*store.ConversationRow)
}

type conversationDetail struct {
	view.Conversation
	Orders []view.Order `json:"orders"`
	// ReplyWindow is null when the channel's platform sets no reply window.
	ReplyWindow *view.ReplyWindow `json:"reply_window"`
}

func (s *Server) getConversation(c *gin.Context) {
	row := conversation(c)
	orders, err := s.DB.OrdersOfCustomer(c.Request.Context(), row.CustomerID)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := conversationDetail{Conversation: view.NewConversation(row), Orders: make([]view.Order, 0, len(orders))}
	for i := range orders {
		out.Orders = append(out.Orders, view.NewOrder(&orders[i]))
	}
	window, err := s.Inbox.ReplyWindow(c.Request.Context(), row)
	if err != nil {
		s.fail(c, err)
		return
	}
	if window != nil {
		out.ReplyWindow = view.NewReplyWindow(window.ClosesAt, window.RepliesLeft)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listMessages(c *gin.Context) {
	var before uint64
	if v := c.Query("before"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			invalid(c, "before", "must be a message id")
			return
		}
		before = id
	}
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			invalid(c, "limit", "must be between 1 and 200")
			return
		}
		limit = n
	}
	msgs, err := s.DB.Messages(c.Request.Context(), conversation(c).ID, before, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.Message, 0, len(msgs))
	for i := range msgs {
		items = append(items, view.NewMessage(&msgs[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type replyRequest struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Override bool   `json:"override"`
	// MediaID is the uploaded file of an image reply (POST /api/v1/media).
	MediaID string `json:"media_id"`
}

func (s *Server) postMessage(c *gin.Context) {
	var req replyRequest
	if !bindJSON(c, &req) {
		return
	}
	var (
		msg *models.Message
		err error
	)
	switch req.Type {
	case "", "text":
		msg, err = s.Inbox.Reply(c.Request.Context(), currentUser(c), conversation(c), req.Text, req.Override)
	case "image":
		id, perr := strconv.ParseUint(req.MediaID, 10, 64)
		if perr != nil {
			invalid(c, "media_id", "is required for an image reply (the id POST /api/v1/media answered)")
			return
		}
		msg, err = s.Inbox.ReplyImage(c.Request.Context(), currentUser(c), conversation(c), id, req.Text, req.Override)
	default:
		invalid(c, "type", "must be text or image")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": view.ID(msg.ID), "status": msg.Status})
}

// respondConversation answers the conversation as it now is.
func (s *Server) respondConversation(c *gin.Context) {
	row, err := s.DB.ConversationRow(c.Request.Context(), 0, conversation(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewConversation(row))
}

func (s *Server) assign(c *gin.Context) {
	var req struct {
		AssigneeID *string `json:"assignee_id"`
	}
	if !bindJSON(c, &req) {
		return
	}
	var assignee *uint64
	if req.AssigneeID != nil && *req.AssigneeID != "" {
		id, err := strconv.ParseUint(*req.AssigneeID, 10, 64)
		if err != nil {
			invalid(c, "assignee_id", "must be a user id")
			return
		}
		assignee = &id
	}
	if err := s.Inbox.Assign(c.Request.Context(), currentUser(c), conversation(c), assignee); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

func (s *Server) setStage(c *gin.Context) {
	var req struct {
		Stage string `json:"stage"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if err := s.Inbox.SetStage(c.Request.Context(), currentUser(c), conversation(c), models.Stage(req.Stage)); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

func (s *Server) resolve(c *gin.Context) {
	if err := s.Inbox.Resolve(c.Request.Context(), currentUser(c), conversation(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

func (s *Server) markRead(c *gin.Context) {
	if err := s.Inbox.MarkRead(c.Request.Context(), conversation(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listConversationEvents lists what happened to a conversation besides its messages
// (assignments, stage changes, resolves), oldest first, for the thread.
func (s *Server) listConversationEvents(c *gin.Context) {
	evs, err := s.DB.ConversationEvents(c.Request.Context(), conversation(c).ID, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.ConversationEvent, 0, len(evs))
	for i := range evs {
		items = append(items, view.NewConversationEvent(&evs[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
