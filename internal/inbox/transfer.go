package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Transfer hands a conversation to an agent (ToUser) or to a stage's queue (ToStage),
// with a note for whoever takes it.
type Transfer struct {
	ToUser  *uint64
	ToStage models.Stage
	Note    string
}

const maxNoteLen = 2000

// Transfer hands a chat on: to a named agent or supervisor of the shop, or to a stage's
// queue, where routing gives it to an online agent with that skill (never back to the
// one handing it on) or it waits. Ownership passes with it. The thread shows who handed
// it to whom, and the note.
func (s *Service) Transfer(ctx context.Context, actor *models.User, conv *store.ConversationRow, t Transfer) error {
	t.Note = strings.TrimSpace(t.Note)
	switch {
	case (t.ToUser == nil) == (t.ToStage == ""):
		return &models.InvalidError{Field: "to_user_id", Reason: "name either an agent (to_user_id) or a stage queue (to_stage)"}
	case t.ToStage != "" && !t.ToStage.Valid():
		return &models.InvalidError{Field: "to_stage", Reason: "must be pre_sale, in_sale or after_sale"}
	case utf8.RuneCountInString(t.Note) > maxNoteLen:
		return &models.InvalidError{Field: "note", Reason: fmt.Sprintf("must be at most %d characters", maxNoteLen)}
	}
	if t.ToUser != nil {
		if *t.ToUser == actor.ID {
			return &models.InvalidError{Field: "to_user_id", Reason: "is yourself"}
		}
		if _, err := s.staffOf(ctx, conv.ShopID, *t.ToUser, "to_user_id"); err != nil {
			return err
		}
	}
	if err := checkOwner(actor, &conv.Conversation); err != nil {
		return err
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		data := map[string]any{"by": "transfer"}
		if t.Note != "" {
			data["note"] = t.Note
		}
		if t.ToUser != nil {
			return s.setAssignee(ctx, tx, c, t.ToUser, actor, data, fx)
		}
		data["queue"] = t.ToStage
		if c.Stage != t.ToStage {
			err := fx.record(ctx, tx, c, models.EventStageChanged, actor, map[string]any{"from": c.Stage, "to": t.ToStage, "by": "transfer"})
			if err != nil {
				return err
			}
			if err := tx.UpdateConversation(ctx, c.ID, map[string]any{"stage": t.ToStage}); err != nil {
				return err
			}
			c.Stage = t.ToStage
		}
		if err := s.setAssignee(ctx, tx, c, nil, actor, data, fx); err != nil {
			return err
		}
		if c.Status == models.StatusResolved {
			return nil
		}
		_, err := s.route(ctx, tx, c, fx, routeOpts{exclude: actor.ID, after: "transfer"})
		return err
	})
}

// AddNote puts a private note on the thread: staff see it, the buyer never does (it is
// an event of the thread, not a message, so nothing sends it).
func (s *Service) AddNote(ctx context.Context, actor *models.User, conv *store.ConversationRow, text string) (*models.ConversationEvent, error) {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > maxNoteLen {
		return nil, &models.InvalidError{Field: "text", Reason: fmt.Sprintf("must be 1 to %d characters", maxNoteLen)}
	}
	var fx *effects
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		fx = &effects{}
		return fx.record(ctx, tx, &conv.Conversation, models.EventNote, actor, map[string]any{"text": text})
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: note: %w", err)
	}
	fx.conversations = nil // a note changes nothing of the conversation row
	s.apply(ctx, conv.ShopID, fx)
	return fx.events[0], nil
}

// maxLabels and maxLabelLen bound a conversation's labels (they are kept in one column).
const (
	maxLabels   = 10
	maxLabelLen = 32
)

// SetLabels replaces a conversation's labels.
func (s *Service) SetLabels(ctx context.Context, conv *store.ConversationRow, labels []string) error {
	clean, err := cleanLabels(labels)
	if err != nil {
		return err
	}
	return s.change(ctx, conv, func(tx *store.DB, c *models.Conversation, fx *effects) error {
		return tx.SetLabels(ctx, c.ShopID, c.ID, clean)
	})
}

func cleanLabels(labels []string) ([]string, error) {
	var out []string
	for _, l := range labels {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case utf8.RuneCountInString(l) > maxLabelLen || strings.ContainsAny(l, ",\n"):
			return nil, &models.InvalidError{Field: "labels", Reason: fmt.Sprintf("each must be at most %d characters, without commas", maxLabelLen)}
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, l)
		}
		if !dup {
			out = append(out, l)
		}
	}
	if len(out) > maxLabels {
		return nil, &models.InvalidError{Field: "labels", Reason: fmt.Sprintf("at most %d per conversation", maxLabels)}
	}
	return out, nil
}
