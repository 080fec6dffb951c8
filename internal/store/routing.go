package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/chatbridge/chatbridge/models"
)

// AgentLoad is an online agent with the number of open chats assigned to them.
type AgentLoad struct {
	UserID  uint64
	Skills  string
	MaxOpen int
	Open    int
}

// openStatuses are the conversation statuses that count against an agent's limit.
var openStatuses = []models.ConversationStatus{models.StatusOpen, models.StatusPending}

// OnlineAgents lists a shop's online agents (never supervisors or admins) with their
// current number of open conversations, fewest first. The counts are read per agent
// from the (shop, assignee, status) index, so the cost does not grow with the chats an
// agent resolved long ago.
func (db *DB) OnlineAgents(ctx context.Context, shopID uint64) ([]AgentLoad, error) {
	var rows []AgentLoad
	err := db.q(ctx).Table("users").Select("id AS user_id, skills, max_open").
		Where("shop_id = ? AND role = ? AND status = ?", shopID, models.RoleAgent, models.UserOnline).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: online agents of shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return rows, nil
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	counts, err := db.OpenCounts(ctx, shopID, ids)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Open = counts[rows[i].UserID]
	}
	// Fewest open chats first, then by id: a stable, fair order.
	slices.SortFunc(rows, func(a, b AgentLoad) int {
		return cmp.Or(cmp.Compare(a.Open, b.Open), cmp.Compare(a.UserID, b.UserID))
	})
	return rows, nil
}

// OpenCounts answers the number of open or pending conversations assigned to each user.
func (db *DB) OpenCounts(ctx context.Context, shopID uint64, userIDs []uint64) (map[uint64]int, error) {
	var rows []struct {
		AssigneeID uint64
		N          int
	}
	err := db.q(ctx).Table("conversations").Select("assignee_id, COUNT(*) AS n").
		Where("shop_id = ? AND assignee_id IN ? AND status IN ?", shopID, userIDs, openStatuses).
		Group("assignee_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: open conversations of shop %d: %w", shopID, err)
	}
	out := make(map[uint64]int, len(rows))
	for _, r := range rows {
		out[r.AssigneeID] = r.N
	}
	return out, nil
}

// LockUser locks a user's row until the transaction ends: routing holds it while it
// counts an agent's open chats, so two chats routed at once cannot both take the last
// place under the agent's limit.
func (db *DB) LockUser(ctx context.Context, id uint64) (*models.User, error) {
	var u models.User
	if err := db.forUpdate(db.q(ctx)).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, fmt.Errorf("store: lock user %d: %w", id, notFound(err))
	}
	return &u, nil
}

// LastAgent answers the agent who last served a buyer (nil if none).
func (db *DB) LastAgent(ctx context.Context, customerID uint64) (*uint64, error) {
	var c models.Customer
	if err := db.q(ctx).Select("id, last_agent_id").Where("id = ?", customerID).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("store: customer %d: %w", customerID, notFound(err))
	}
	return c.LastAgentID, nil
}

// SetLastAgent remembers who serves a buyer now.
func (db *DB) SetLastAgent(ctx context.Context, customerID, userID uint64) error {
	err := db.q(ctx).Model(&models.Customer{}).Where("id = ? AND (last_agent_id IS NULL OR last_agent_id <> ?)", customerID, userID).
		Update("last_agent_id", userID).Error
	if err != nil {
		return fmt.Errorf("store: last agent of customer %d: %w", customerID, err)
	}
	return nil
}

// HasOutbound reports whether anything was ever sent in a conversation.
func (db *DB) HasOutbound(ctx context.Context, conversationID uint64) (bool, error) {
	var ids []uint64
	err := db.q(ctx).Model(&models.Message{}).Where("conversation_id = ? AND direction = ?", conversationID, models.DirectionOut).
		Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return false, fmt.Errorf("store: outbound of conversation %d: %w", conversationID, err)
	}
	return len(ids) > 0, nil
}

// WaitingConversations lists a shop's open, unassigned conversations, oldest activity
// first: the stage queues that routing empties as agents come online or get room.
func (db *DB) WaitingConversations(ctx context.Context, shopID uint64, limit int) ([]models.Conversation, error) {
	var out []models.Conversation
	err := db.q(ctx).Where("shop_id = ? AND assignee_id IS NULL AND status IN ?", shopID, openStatuses).
		Order("last_message_at ASC, id ASC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: waiting conversations of shop %d: %w", shopID, err)
	}
	return out, nil
}

// StageCounts are the open (or pending) conversations of a stage: all of them, the
// unassigned ones, the user's, and those with unread messages.
type StageCounts struct {
	Stage      string
	Open       int
	Unassigned int
	Mine       int
	Unread     int
}

// InboxCounts counts a shop's open conversations per stage as the user sees the
// inbox (visibleTo: an agent sees their own and the unassigned).
func (db *DB) InboxCounts(ctx context.Context, shopID, userID uint64, visibleTo *uint64) ([]StageCounts, error) {
	q := db.q(ctx).Table("conversations").
		Select("stage, COUNT(*) AS open, "+
			"SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned, "+
			"SUM(CASE WHEN assignee_id = ? THEN 1 ELSE 0 END) AS mine, "+
			"SUM(CASE WHEN unread_count > 0 THEN 1 ELSE 0 END) AS unread", userID).
		Where("shop_id = ? AND status IN ?", shopID, openStatuses)
	if visibleTo != nil {
		q = q.Where("(assignee_id = ? OR assignee_id IS NULL)", *visibleTo)
	}
	var out []StageCounts
	if err := q.Group("stage").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: inbox counts of shop %d: %w", shopID, err)
	}
	return out, nil
}
