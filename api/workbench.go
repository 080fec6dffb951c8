package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/quickreplies"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// The agent's working tools around a chat: transfer, reopen, private notes, labels,
// quick replies, the shop's forbidden phrases, and the staff list with their skills and
// limits.

func (s *Server) transfer(c *gin.Context) {
	var req struct {
		ToUserID *string `json:"to_user_id"`
		ToStage  string  `json:"to_stage"`
		Note     string  `json:"note"`
	}
	if !bindJSON(c, &req) {
		return
	}
	t := inbox.Transfer{ToStage: models.Stage(req.ToStage), Note: req.Note}
	if req.ToUserID != nil && *req.ToUserID != "" {
		id, err := strconv.ParseUint(*req.ToUserID, 10, 64)
		if err != nil {
			invalid(c, "to_user_id", "must be a user id")
			return
		}
		t.ToUser = &id
	}
	if err := s.Inbox.Transfer(c.Request.Context(), currentUser(c), conversation(c), t); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

func (s *Server) reopen(c *gin.Context) {
	if err := s.Inbox.Reopen(c.Request.Context(), currentUser(c), conversation(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

func (s *Server) addNote(c *gin.Context) {
	var req struct {
		Text string `json:"text"`
	}
	if !bindJSON(c, &req) {
		return
	}
	e, err := s.Inbox.AddNote(c.Request.Context(), currentUser(c), conversation(c), req.Text)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, view.NewConversationEvent(e))
}

func (s *Server) setLabels(c *gin.Context) {
	var req struct {
		Labels []string `json:"labels"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if req.Labels == nil {
		invalid(c, "labels", "is required (an empty list removes every label)")
		return
	}
	if err := s.Inbox.SetLabels(c.Request.Context(), conversation(c), req.Labels); err != nil {
		s.fail(c, err)
		return
	}
	s.respondConversation(c)
}

// listLabels answers the labels the shop uses, most used first, for the list's filter.
func (s *Server) listLabels(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	rows, err := s.DB.ShopLabels(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]gin.H, 0, len(rows))
	for _, r := range rows {
		items = append(items, gin.H{"label": r.Label, "count": r.Count})
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// inboxSummary answers the open conversations per stage as the user sees the inbox:
// the numbers on the stage tabs.
func (s *Server) inboxSummary(c *gin.Context) {
	u := currentUser(c)
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var visible *uint64
	if u.Role == models.RoleAgent {
		visible = &u.ID
	}
	rows, err := s.DB.InboxCounts(c.Request.Context(), shopID, u.ID, visible)
	if err != nil {
		s.fail(c, err)
		return
	}
	stages := gin.H{}
	for _, st := range models.Stages {
		stages[string(st)] = view.StageCounts{}
	}
	for _, r := range rows {
		stages[r.Stage] = view.NewStageCounts(r)
	}
	c.JSON(http.StatusOK, gin.H{"stages": stages})
}

// ---- quick replies ----------------------------------------------------------------

type quickReplyRequest struct {
	Scope    string `json:"scope"`
	Stage    string `json:"stage"`
	Step     string `json:"step"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Position int    `json:"position"`
}

func (r quickReplyRequest) input(c *gin.Context) (quickreplies.Input, bool) {
	if r.Scope != "shop" && r.Scope != "personal" {
		invalid(c, "scope", "must be shop or personal")
		return quickreplies.Input{}, false
	}
	return quickreplies.Input{Shop: r.Scope == "shop", Stage: r.Stage, Step: r.Step, Title: r.Title, Text: r.Text, Position: r.Position}, true
}

func (s *Server) listQuickReplies(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	rows, err := s.QuickReplies.List(c.Request.Context(), currentUser(c), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.QuickReply, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewQuickReply(&rows[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) createQuickReply(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var req quickReplyRequest
	if !bindJSON(c, &req) {
		return
	}
	in, ok := req.input(c)
	if !ok {
		return
	}
	r, err := s.QuickReplies.Create(c.Request.Context(), currentUser(c), shopID, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, view.NewQuickReply(r))
}

func (s *Server) updateQuickReply(c *gin.Context) {
	shopID, id, ok := s.shopAndID(c)
	if !ok {
		return
	}
	var req quickReplyRequest
	if !bindJSON(c, &req) {
		return
	}
	in, ok := req.input(c)
	if !ok {
		return
	}
	r, err := s.QuickReplies.Update(c.Request.Context(), currentUser(c), shopID, id, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewQuickReply(r))
}

func (s *Server) deleteQuickReply(c *gin.Context) {
	shopID, id, ok := s.shopAndID(c)
	if !ok {
		return
	}
	if err := s.QuickReplies.Delete(c.Request.Context(), currentUser(c), shopID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// conversationQuickReplies answers the user's quick replies for the conversation's
// stage, filled in from its buyer and their latest order.
func (s *Server) conversationQuickReplies(c *gin.Context) {
	rows, err := s.QuickReplies.ForConversation(c.Request.Context(), currentUser(c), conversation(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.QuickReply, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewRenderedQuickReply(&rows[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// shopAndID reads the shop (admins: ?shop_id=) and the path's id; a bad id is not found.
func (s *Server) shopAndID(c *gin.Context) (uint64, uint64, bool) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return 0, 0, false
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return 0, 0, false
	}
	return shopID, id, true
}

// ---- forbidden phrases ---------------------------------------------------------------

func (s *Server) listPhrases(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	rows, err := s.Inbox.Phrases(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.ForbiddenPhrase, 0, len(rows))
	for i := range rows {
		items = append(items, view.NewForbiddenPhrase(&rows[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) addPhrase(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var req struct {
		Phrase string `json:"phrase"`
	}
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.Inbox.AddPhrase(c.Request.Context(), currentUser(c), shopID, req.Phrase)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, view.NewForbiddenPhrase(p))
}

func (s *Server) deletePhrase(c *gin.Context) {
	shopID, id, ok := s.shopAndID(c)
	if !ok {
		return
	}
	if err := s.Inbox.RemovePhrase(c.Request.Context(), shopID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// ---- staff -------------------------------------------------------------------------

// listStaff answers the shop's staff with their skills, limits and presence: for the
// transfer menu and the supervisor's staff page.
func (s *Server) listStaff(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	users, err := s.DB.ShopStaff(c.Request.Context(), shopID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.User, 0, len(users))
	for i := range users {
		items = append(items, view.NewUser(&users[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// updateStaff changes a member of staff's name, number, skills or routing limit.
func (s *Server) updateStaff(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	u, err := s.DB.User(c.Request.Context(), id)
	if err != nil || u.ShopID == nil || !ownsShop(currentUser(c), *u.ShopID) {
		notFound(c)
		return
	}
	var req struct {
		DisplayName *string   `json:"display_name"`
		AgentNo     *string   `json:"agent_no"`
		Skills      *[]string `json:"skills"`
		MaxOpen     *int      `json:"max_open"`
	}
	if !bindJSON(c, &req) {
		return
	}
	updates := map[string]any{}
	if req.DisplayName != nil {
		updates["display_name"] = strings.TrimSpace(*req.DisplayName)
	}
	if req.AgentNo != nil {
		if len(*req.AgentNo) > 32 {
			invalid(c, "agent_no", "must be at most 32 bytes")
			return
		}
		updates["agent_no"] = strings.TrimSpace(*req.AgentNo)
	}
	if req.Skills != nil {
		for _, sk := range *req.Skills {
			if !models.Stage(sk).Valid() {
				invalid(c, "skills", "each must be pre_sale, in_sale or after_sale")
				return
			}
		}
		updates["skills"] = strings.Join(*req.Skills, ",")
	}
	if req.MaxOpen != nil {
		if *req.MaxOpen < 0 || *req.MaxOpen > 1000 {
			invalid(c, "max_open", "must be between 0 (the shop's default) and 1000")
			return
		}
		updates["max_open"] = *req.MaxOpen
	}
	if len(updates) > 0 {
		if err := s.DB.UpdateUser(c.Request.Context(), id, updates); err != nil {
			s.fail(c, err)
			return
		}
		if u, err = s.DB.User(c.Request.Context(), id); err != nil {
			s.fail(c, err)
			return
		}
		if u.Status == models.UserOnline && u.Role == models.RoleAgent {
			// New skills or more room may fit chats waiting in a queue.
			if err := s.Inbox.AssignWaiting(c.Request.Context(), *u.ShopID); err != nil {
				requestLog(c).Warn("route waiting conversations", "err", err)
			}
		}
	}
	c.JSON(http.StatusOK, view.NewUser(u))
}

// setStatus records the presence the user chose.
func (s *Server) setStatus(c *gin.Context) {
	var req struct {
		Status string `json:"status"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if err := s.Presence.SetStatus(c.Request.Context(), currentUser(c), models.UserStatus(req.Status), time.Now().UTC()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": req.Status})
}
