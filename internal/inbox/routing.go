package inbox

import (
	"context"
	"slices"
	"strings"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// route assigns a conversation to an online agent who has its stage among their skills
// and room under their limit, fewest open chats first; the current or previous agent
// is kept when they qualify. With nobody available the conversation waits unassigned
// in its stage queue. Supervisors and admins are never chosen.
func (s *Service) route(ctx context.Context, tx *store.DB, conv *models.Conversation) error {
	agents, err := tx.OnlineAgents(ctx, conv.ShopID)
	if err != nil {
		return err
	}
	var pick *uint64
	for _, a := range agents {
		if !hasSkill(a.Skills, conv.Stage) {
			continue
		}
		if conv.AssigneeID != nil && a.UserID == *conv.AssigneeID {
			pick = &a.UserID
			break
		}
		if pick == nil && (a.MaxOpen == 0 || a.Open < a.MaxOpen) {
			pick = &a.UserID
		}
	}
	if equalIDs(pick, conv.AssigneeID) {
		return nil
	}
	if err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"assignee_id": pick}); err != nil {
		return err
	}
	err = record(ctx, tx, conv, models.EventAssigned, nil, map[string]any{
		"from": idOrNil(conv.AssigneeID), "to": idOrNil(pick), "by": "routing",
	})
	conv.AssigneeID = pick
	return err
}

func hasSkill(skills string, stage models.Stage) bool {
	return slices.Contains(strings.Split(skills, ","), string(stage))
}

func equalIDs(a, b *uint64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (s *Service) agentHasSkill(ctx context.Context, tx *store.DB, userID uint64, stage models.Stage) bool {
	u, err := tx.User(ctx, userID)
	return err == nil && hasSkill(u.Skills, stage)
}
