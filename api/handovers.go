package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/handover"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

type handoverRequest struct {
	Note   string  `json:"note"`
	UserID *string `json:"user_id"`
	Items  []struct {
		ConversationID string `json:"conversation_id"`
		Note           string `json:"note"`
	} `json:"items"`
}

// createHandover ends a shift: the note is kept, the agent goes offline and their open
// chats are routed again. An agent hands over their own shift; a supervisor may name
// an agent of the shop (user_id).
func (s *Server) createHandover(c *gin.Context) {
	var req handoverRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	actor := currentUser(c)
	user := actor
	if req.UserID != nil && *req.UserID != "" && *req.UserID != view.ID(actor.ID) {
		if actor.Role == models.RoleAgent {
			invalid(c, "user_id", "an agent hands over only their own shift")
			return
		}
		id, err := strconv.ParseUint(*req.UserID, 10, 64)
		if err != nil {
			invalid(c, "user_id", "must be a user id")
			return
		}
		u, err := s.DB.User(ctx, id)
		if err != nil || u.ShopID == nil || !ownsShop(actor, *u.ShopID) {
			invalid(c, "user_id", "is not a user of this shop")
			return
		}
		user = u
	}
	in := handover.Handover{Note: req.Note, ChatNotes: map[uint64]string{}}
	for i, it := range req.Items {
		id, err := strconv.ParseUint(it.ConversationID, 10, 64)
		if err != nil {
			invalid(c, "items["+strconv.Itoa(i)+"].conversation_id", "must be a conversation id")
			return
		}
		in.ChatNotes[id] = it.Note
	}
	res, err := s.Handovers.EndShift(ctx, actor, user, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	row, items, err := s.Handovers.Get(ctx, res.Handover.ShopID, res.Handover.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, view.NewHandover(row, items))
}

// listHandovers lists the shop's handover notes newest first, for the next shift.
func (s *Server) listHandovers(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var before uint64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			invalid(c, "before", "must be a handover id")
			return
		}
		before = n
	}
	limit := 20
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			invalid(c, "limit", "must be between 1 and 100")
			return
		}
		limit = n
	}
	rows, items, err := s.Handovers.List(c.Request.Context(), shopID, before, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]view.Handover, 0, len(rows))
	for i := range rows {
		out = append(out, view.NewHandover(&rows[i], items[rows[i].ID]))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
