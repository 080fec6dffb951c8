package inbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// OwnedError refuses an agent's action on a chat another agent owns: whoever first takes
// a chat keeps it until it is resolved or transferred (首问负责制).
type OwnedError struct{ OwnerID uint64 }

func (e *OwnedError) Error() string {
	return fmt.Sprintf("the conversation belongs to agent %d until it is resolved or transferred", e.OwnerID)
}

// checkOwner lets supervisors and admins act on any chat, and an agent on their own, an
// unassigned or a resolved one.
func checkOwner(actor *models.User, conv *models.Conversation) error {
	if actor.Role != models.RoleAgent || conv.AssigneeID == nil || *conv.AssigneeID == actor.ID || conv.Status == models.StatusResolved {
		return nil
	}
	return &OwnedError{OwnerID: *conv.AssigneeID}
}

// Resolve closes a conversation; the buyer's next message reopens it. The agent keeps it
// (their chat counts no more against their limit, and they are preferred when the buyer
// writes again). The resolve watchers (the rating invitation) act in the same
// transaction.
func (s *Service) Resolve(ctx context.Context, actor *models.User, conv *store.ConversationRow) error {
	if conv.Status == models.StatusResolved {
		return nil
	}
	if err := checkOwner(actor, &conv.Conversation); err != nil {
		return err
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		if err := tx.UpdateConversation(ctx, c.ID, map[string]any{"status": models.StatusResolved}); err != nil {
			return err
		}
		fx.freed = c.AssigneeID != nil
		if err := fx.record(ctx, tx, c, models.EventResolved, actor, map[string]any{}); err != nil {
			return err
		}
		c.Status = models.StatusResolved
		return s.notifyResolved(ctx, tx, actor, c, fx)
	})
}

// Reopen opens a resolved conversation again by hand; one without an agent is routed.
func (s *Service) Reopen(ctx context.Context, actor *models.User, conv *store.ConversationRow) error {
	if conv.Status != models.StatusResolved {
		return nil
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		if err := tx.UpdateConversation(ctx, c.ID, map[string]any{"status": models.StatusOpen}); err != nil {
			return err
		}
		c.Status = models.StatusOpen
		if err := fx.record(ctx, tx, c, models.EventReopened, actor, map[string]any{"by": "manual"}); err != nil {
			return err
		}
		if c.AssigneeID != nil {
			return nil
		}
		_, err := s.route(ctx, tx, c, fx, routeOpts{})
		return err
	})
}

// SetStage moves a conversation by hand; it holds until the buyer's next order change.
// An agent without the new stage's skill hands the chat on to someone who has it.
func (s *Service) SetStage(ctx context.Context, actor *models.User, conv *store.ConversationRow, stage models.Stage) error {
	if !stage.Valid() {
		return &models.InvalidError{Field: "stage", Reason: "must be pre_sale, in_sale or after_sale"}
	}
	if stage == conv.Stage {
		return nil
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		return s.moveStage(ctx, tx, c, stage, actor, "manual", fx)
	})
}

// moveStage changes the stage and re-routes only when the agent lacks the new skill.
func (s *Service) moveStage(ctx context.Context, tx *store.DB, c *models.Conversation, stage models.Stage, actor *models.User, by string, fx *effects) error {
	if err := tx.UpdateConversation(ctx, c.ID, map[string]any{"stage": stage}); err != nil {
		return err
	}
	err := fx.record(ctx, tx, c, models.EventStageChanged, actor, map[string]any{"from": c.Stage, "to": stage, "by": by})
	if err != nil {
		return err
	}
	c.Stage = stage
	if c.AssigneeID != nil && s.agentHasSkill(ctx, tx, *c.AssigneeID, stage) || c.Status == models.StatusResolved {
		return nil
	}
	_, err = s.route(ctx, tx, c, fx, routeOpts{})
	return err
}

// Assign gives a conversation to a user of its shop, or to nobody (nil). An agent may
// pick up an unassigned chat or hand on their own, not take another agent's.
func (s *Service) Assign(ctx context.Context, actor *models.User, conv *store.ConversationRow, assignee *uint64) error {
	if assignee != nil {
		if _, err := s.staffOf(ctx, conv.ShopID, *assignee, "assignee_id"); err != nil {
			return err
		}
	}
	if equalIDs(assignee, conv.AssigneeID) {
		return nil
	}
	if err := checkOwner(actor, &conv.Conversation); err != nil {
		return err
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		return s.setAssignee(ctx, tx, c, assignee, actor, map[string]any{"by": "manual"}, fx)
	})
}

// staffOf loads a user of the shop who can serve chats (an agent or a supervisor).
func (s *Service) staffOf(ctx context.Context, shopID, id uint64, field string) (*models.User, error) {
	u, err := s.db.User(ctx, id)
	if err != nil || u.ShopID == nil || *u.ShopID != shopID || !slices.Contains([]models.Role{models.RoleAgent, models.RoleSupervisor}, u.Role) {
		return nil, &models.InvalidError{Field: field, Reason: "is not an agent or supervisor of this shop"}
	}
	return u, nil
}

// MarkRead clears a conversation's unread count.
func (s *Service) MarkRead(ctx context.Context, conv *store.ConversationRow) error {
	if err := s.db.UpdateConversation(ctx, conv.ID, map[string]any{"unread_count": 0}); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	s.publishConversation(ctx, conv.ShopID, conv.ID)
	return nil
}

// change runs fn on the conversation, locked, in one transaction, then applies its
// effects (live events, messages to send, routing of waiting chats).
func (s *Service) change(ctx context.Context, conv *store.ConversationRow, fn func(tx *store.DB, c *models.Conversation, fx *effects) error) error {
	var fx *effects
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		fx = &effects{}
		locked, err := tx.LockConversation(ctx, conv.ChannelID, conv.CustomerID)
		if err != nil {
			return err
		}
		fx.touch(locked.ID)
		return fn(tx, locked, fx)
	})
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	s.apply(ctx, conv.ShopID, fx)
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
	u.Status = status
	if status == models.UserOnline && u.ShopID != nil && u.Role == models.RoleAgent {
		return s.AssignWaiting(ctx, *u.ShopID)
	}
	return nil
}

// AssignWaiting routes a shop's waiting conversations, oldest activity first, until
// every stage queue is empty or has nobody left with room.
func (s *Service) AssignWaiting(ctx context.Context, shopID uint64) error {
	agents, err := s.db.OnlineAgents(ctx, shopID)
	if err != nil || len(agents) == 0 {
		return err
	}
	waiting, err := s.db.WaitingConversations(ctx, shopID, 200)
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	stuck := map[models.Stage]bool{}
	for _, w := range waiting {
		if stuck[w.Stage] {
			continue
		}
		var fx *effects
		err := s.db.Tx(ctx, func(tx *store.DB) error {
			fx = &effects{}
			locked, err := tx.LockConversation(ctx, w.ChannelID, w.CustomerID)
			if err != nil || locked.AssigneeID != nil || locked.Status == models.StatusResolved {
				return err
			}
			got, err := s.route(ctx, tx, locked, fx, routeOpts{})
			stuck[locked.Stage] = err == nil && !got
			return err
		})
		if err != nil {
			return fmt.Errorf("inbox: route waiting conversation %d: %w", w.ID, err)
		}
		fx.freed = false // this very loop is the one that fills the room
		s.apply(ctx, shopID, fx)
	}
	return nil
}
