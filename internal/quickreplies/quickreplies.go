// Package quickreplies keeps a shop's quick replies (快捷短语): shop-wide ones the
// supervisor writes and each agent's own, grouped by stage and by the pre-sale flow, and
// fills their variables ({buyer_name}, {order_id}, {tracking_no}...) for the chat they
// are used in.
package quickreplies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ErrNotAllowed refuses a change of shop-wide quick replies to anyone but the
// shop's supervisor (or an admin).
var ErrNotAllowed = errors.New("only a supervisor changes the shop's quick replies")

// PhraseChecker finds forbidden phrases in a text, as a reply would be checked.
type PhraseChecker interface {
	PhraseList(ctx context.Context, shopID uint64) ([]string, error)
}

// ForbiddenFinder lists the phrases of a list that a text contains.
type ForbiddenFinder func(text string, list []string) []string

// Service keeps quick replies.
type Service struct {
	db      *store.DB
	phrases PhraseChecker
	find    ForbiddenFinder
}

// NewService returns the quick-reply service; phrases and find let it refuse a quick
// reply that the shop's forbidden phrases would stop at sending.
func NewService(db *store.DB, phrases PhraseChecker, find ForbiddenFinder) *Service {
	return &Service{db: db, phrases: phrases, find: find}
}

// ForbiddenError refuses a quick reply holding forbidden phrases.
type ForbiddenError struct{ Phrases []string }

func (e *ForbiddenError) Error() string {
	return "the quick reply contains forbidden service phrases: " + strings.Join(e.Phrases, "; ")
}

// Input is what a user writes of a quick reply. Shop true makes it shop-wide.
type Input struct {
	Shop     bool
	Stage    string
	Step     string
	Title    string
	Text     string
	Position int
}

// List answers the shop's quick replies and the user's own.
func (s *Service) List(ctx context.Context, u *models.User, shopID uint64) ([]models.QuickReply, error) {
	return s.db.QuickReplies(ctx, shopID, u.ID)
}

// Create stores a new quick reply.
func (s *Service) Create(ctx context.Context, u *models.User, shopID uint64, in Input) (*models.QuickReply, error) {
	r := &models.QuickReply{ShopID: shopID}
	if !in.Shop {
		r.OwnerID = &u.ID
	}
	return r, s.save(ctx, u, r, in)
}

// Update changes a quick reply the user may change (see mayChange).
func (s *Service) Update(ctx context.Context, u *models.User, shopID, id uint64, in Input) (*models.QuickReply, error) {
	r, err := s.load(ctx, u, shopID, id)
	if err != nil {
		return nil, err
	}
	if in.Shop != (r.OwnerID == nil) {
		return nil, &models.InvalidError{Field: "scope", Reason: "cannot change between shop and personal"}
	}
	return r, s.save(ctx, u, r, in)
}

// Delete removes a quick reply the user may change.
func (s *Service) Delete(ctx context.Context, u *models.User, shopID, id uint64) error {
	if _, err := s.load(ctx, u, shopID, id); err != nil {
		return err
	}
	return s.db.DeleteQuickReply(ctx, id)
}

// load finds a quick reply the user may change: someone else's own answers not found,
// a shop-wide one needs a supervisor.
func (s *Service) load(ctx context.Context, u *models.User, shopID, id uint64) (*models.QuickReply, error) {
	r, err := s.db.QuickReply(ctx, shopID, id)
	if err != nil {
		return nil, err
	}
	if r.OwnerID != nil && *r.OwnerID != u.ID {
		return nil, fmt.Errorf("quick reply %d: %w", id, store.ErrNotFound)
	}
	return r, nil
}

func (s *Service) save(ctx context.Context, u *models.User, r *models.QuickReply, in Input) error {
	if r.OwnerID == nil && u.Role != models.RoleSupervisor && u.Role != models.RoleAdmin {
		return ErrNotAllowed
	}
	if err := validate(&in); err != nil {
		return err
	}
	list, err := s.phrases.PhraseList(ctx, r.ShopID)
	if err != nil {
		return err
	}
	if found := s.find(in.Text, list); len(found) > 0 {
		return &ForbiddenError{Phrases: found}
	}
	r.Stage, r.Step, r.Title, r.Text, r.Position = in.Stage, in.Step, in.Title, in.Text, in.Position
	return s.db.SaveQuickReply(ctx, r)
}

func validate(in *Input) error {
	in.Title, in.Text = strings.TrimSpace(in.Title), strings.TrimSpace(in.Text)
	switch {
	case in.Title == "" || utf8.RuneCountInString(in.Title) > 64:
		return &models.InvalidError{Field: "title", Reason: "must be 1 to 64 characters"}
	case in.Text == "" || utf8.RuneCountInString(in.Text) > 2000:
		return &models.InvalidError{Field: "text", Reason: "must be 1 to 2000 characters"}
	case in.Stage != "" && !models.Stage(in.Stage).Valid():
		return &models.InvalidError{Field: "stage", Reason: "must be empty (any stage), pre_sale, in_sale or after_sale"}
	case in.Step != "" && !slices.Contains(models.FlowSteps, in.Step):
		return &models.InvalidError{Field: "step", Reason: "must be empty or one of " + strings.Join(models.FlowSteps, ", ")}
	case in.Position < 0 || in.Position > 100000:
		return &models.InvalidError{Field: "position", Reason: "must be between 0 and 100000"}
	}
	if err := models.CheckTemplate(in.Text, models.QuickReplyVariables); err != nil {
		return &models.InvalidError{Field: "text", Reason: err.Error()}
	}
	return nil
}

// Rendered is a quick reply filled in for one conversation; Missing names the variables
// the conversation has no value for (left empty in Text).
type Rendered struct {
	models.QuickReply
	Rendered string
	Missing  []string
}

// ForConversation answers the user's quick replies for a conversation, filled in from
// its buyer, the buyer's latest order, the user and the shop; the ones of the
// conversation's stage (or of any stage) come first.
func (s *Service) ForConversation(ctx context.Context, u *models.User, conv *store.ConversationRow) ([]Rendered, error) {
	list, err := s.db.QuickReplies(ctx, conv.ShopID, u.ID)
	if err != nil {
		return nil, err
	}
	values, err := s.values(ctx, u, conv)
	if err != nil {
		return nil, err
	}
	out := make([]Rendered, 0, len(list))
	for _, r := range list {
		if r.Stage != "" && r.Stage != string(conv.Stage) {
			continue
		}
		item := Rendered{QuickReply: r, Rendered: models.RenderTemplate(r.Text, values)}
		for _, v := range models.TemplateVariables(r.Text) {
			if values[v] == "" {
				item.Missing = append(item.Missing, v)
			}
		}
		out = append(out, item)
	}
	return out, nil
}

// values are the variables of a conversation: buyer, latest order, agent, shop.
func (s *Service) values(ctx context.Context, u *models.User, conv *store.ConversationRow) (map[string]string, error) {
	shop, err := s.db.Shop(ctx, conv.ShopID)
	if err != nil {
		return nil, err
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	v := map[string]string{"buyer_name": conv.CustomerName, "agent_no": u.AgentNo, "agent_name": name, "shop": shop.Name,
		"order_id": "", "tracking_no": "", "carrier": ""}
	latest, err := s.db.LatestOrder(ctx, conv.CustomerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		v["order_id"], v["tracking_no"], v["carrier"] = latest.ExternalID, latest.TrackingNumber, latest.TrackingCarrier
	}
	return v, nil
}
