package inbox

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Resolve closes a conversation; the buyer's next message reopens it. The resolve
// watchers (the rating invitation) act in the same transaction.
func (s *Service) Resolve(ctx context.Context, actor *models.User, conv *store.ConversationRow) error {
	if conv.Status == models.StatusResolved {
		return nil
	}
	var after []func(context.Context)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		if err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"status": models.StatusResolved}); err != nil {
			return err
		}
		if err := record(ctx, tx, &conv.Conversation, models.EventResolved, actor, map[string]any{}); err != nil {
			return err
		}
		var err error
		after, err = s.notifyResolved(ctx, tx, actor, &conv.Conversation)
		return err
	})
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	for _, fn := range after {
		fn(ctx)
	}
	s.publishConversation(ctx, conv.ShopID, conv.ID)
	return nil
}

// SetStage moves a conversation by hand; it holds until the buyer's next order change.
func (s *Service) SetStage(ctx context.Context, actor *models.User, conv *store.ConversationRow, stage models.Stage) error {
	if !stage.Valid() {
		return &models.InvalidError{Field: "stage", Reason: "must be pre_sale, in_sale or after_sale"}
	}
	if stage == conv.Stage {
		return nil
	}
	return s.change(ctx, conv, map[string]any{"stage": stage},
		models.EventStageChanged, actor, map[string]any{"from": conv.Stage, "to": stage, "by": "manual"})
}

// Assign gives a conversation to a user of its shop, or to nobody (nil).
func (s *Service) Assign(ctx context.Context, actor *models.User, conv *store.ConversationRow, assignee *uint64) error {
	if assignee != nil {
		u, err := s.db.User(ctx, *assignee)
		if err != nil || u.ShopID == nil || *u.ShopID != conv.ShopID {
			return &models.InvalidError{Field: "assignee_id", Reason: "is not a user of this shop"}
		}
	}
	if equalIDs(assignee, conv.AssigneeID) {
		return nil
	}
	return s.change(ctx, conv, map[string]any{"assignee_id": assignee},
		models.EventAssigned, actor, map[string]any{"from": idOrNil(conv.AssigneeID), "to": idOrNil(assignee), "by": "manual"})
}

// MarkRead clears a conversation's unread count.
func (s *Service) MarkRead(ctx context.Context, conv *store.ConversationRow) error {
	if err := s.db.UpdateConversation(ctx, conv.ID, map[string]any{"unread_count": 0}); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	s.publishConversation(ctx, conv.ShopID, conv.ID)
	return nil
}

// change writes a conversation's columns and records the event that says why, in one
// transaction, then publishes the conversation.
func (s *Service) change(ctx context.Context, conv *store.ConversationRow, updates map[string]any, kind string, actor *models.User, data map[string]any) error {
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		if err := tx.UpdateConversation(ctx, conv.ID, updates); err != nil {
			return err
		}
		return record(ctx, tx, &conv.Conversation, kind, actor, data)
	})
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	s.publishConversation(ctx, conv.ShopID, conv.ID)
	return nil
}

// SetStatus records an agent's presence; an agent coming online picks up the chats
// waiting in the queues of their skills.
func (s *Service) SetStatus(ctx context.Context, u *models.User, status models.UserStatus) error {
	if !status.Valid() {
		return &models.InvalidError{Field: "status", Reason: "must be online, away or offline"}
	}
	if err := s.db.SetUserStatus(ctx, u.ID, status); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	if status == models.UserOnline && u.ShopID != nil && u.Role == models.RoleAgent {
		return s.AssignWaiting(ctx, *u.ShopID)
	}
	return nil
}

// AssignWaiting routes a shop's unassigned open conversations, oldest activity first.
func (s *Service) AssignWaiting(ctx context.Context, shopID uint64) error {
	rows, _, err := s.db.ListConversations(ctx, store.ConversationFilter{
		ShopID: shopID, Status: models.StatusOpen, Assignee: "none", Limit: 200,
	})
	if err != nil {
		return fmt.Errorf("inbox: waiting conversations: %w", err)
	}
	for i := len(rows) - 1; i >= 0; i-- {
		conv := rows[i].Conversation
		err := s.db.Tx(ctx, func(tx *store.DB) error {
			locked, err := tx.LockConversation(ctx, conv.ChannelID, conv.CustomerID)
			if err != nil || locked.AssigneeID != nil {
				return err
			}
			return s.route(ctx, tx, locked)
		})
		if err != nil {
			return fmt.Errorf("inbox: route waiting conversation %d: %w", conv.ID, err)
		}
		s.publishConversation(ctx, shopID, conv.ID)
	}
	return nil
}
