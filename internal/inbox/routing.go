package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// candidate is an online agent as routing weighs them.
type candidate struct {
	store.AgentLoad
	limit int // 0: no limit
}

func (c candidate) hasRoom() bool { return c.limit == 0 || c.Open < c.limit }

// choose picks the agent for a conversation of the given stage among online agents
// (fewest open chats first): the current assignee when they have the skill (their chat
// is already counted), else the buyer's previous agent when they have the skill and
// room, else the first with the skill and room. exclude is never chosen (the agent who
// just handed the chat to a queue). nil means nobody: the chat waits in its queue.
func choose(agents []candidate, stage models.Stage, current, previous *uint64, exclude uint64) *uint64 {
	var able []candidate
	for _, a := range agents {
		if a.UserID != exclude && hasSkill(a.Skills, stage) {
			able = append(able, a)
		}
	}
	for _, want := range []*uint64{current, previous} {
		for _, a := range able {
			if want != nil && a.UserID == *want && (want == current || a.hasRoom()) {
				return &a.UserID
			}
		}
	}
	for _, a := range able {
		if a.hasRoom() {
			return &a.UserID
		}
	}
	return nil
}

// routeOpts say how a conversation comes to routing.
type routeOpts struct {
	// exclude is never chosen: the agent who just handed the chat to a queue.
	exclude uint64
	// reopened: the chat's agent kept it while it was resolved; they are its previous
	// agent now, preferred only with room under their limit.
	reopened bool
	// after names what handed the chat on (transfer, handover) in the routing event.
	after string
}

// route assigns a conversation to an online agent with its stage among their skills,
// under their limit, the current or previous agent first (see choose). With nobody
// available it waits unassigned in its stage queue. Supervisors and admins are never
// chosen. It answers whether the conversation has an agent now.
func (s *Service) route(ctx context.Context, tx *store.DB, conv *models.Conversation, fx *effects, o routeOpts) (bool, error) {
	exclude := o.exclude
	loads, err := tx.OnlineAgents(ctx, conv.ShopID)
	if err != nil {
		return false, err
	}
	if len(loads) == 0 && conv.AssigneeID == nil {
		return false, nil // nobody online: it waits, as it did (the common case at night)
	}
	agents := make([]candidate, len(loads))
	defaultLimit := -1
	for i, l := range loads {
		agents[i] = candidate{AgentLoad: l, limit: l.MaxOpen}
		if l.MaxOpen == 0 {
			if defaultLimit < 0 {
				defaultLimit = s.inboxSettings(ctx, tx, conv.ShopID).DefaultMaxOpen
			}
			agents[i].limit = defaultLimit
		}
	}
	previous, err := tx.LastAgent(ctx, conv.CustomerID)
	if err != nil {
		return false, err
	}
	current := conv.AssigneeID
	if o.reopened && current != nil {
		previous, current = current, nil
		for i := range agents {
			if agents[i].UserID == *previous {
				agents[i].Open-- // the reopened chat itself is counted already
			}
		}
	}
	var pick *uint64
	for range len(agents) + 1 {
		pick = choose(agents, conv.Stage, current, previous, exclude)
		if pick == nil || equalIDs(pick, current) {
			break
		}
		full, err := s.fullNow(ctx, tx, conv, agents, *pick)
		if err != nil {
			return false, err
		}
		if !full {
			break
		}
	}
	if equalIDs(pick, conv.AssigneeID) {
		return pick != nil, nil
	}
	by := map[string]any{"by": "routing"}
	if o.after != "" {
		by["after"] = o.after
	}
	return pick != nil, s.setAssignee(ctx, tx, conv, pick, nil, by, fx)
}

// fullNow locks a limited agent's row and counts their open chats again, so that
// concurrent routing never takes them over their limit. When they turned out full it
// marks them so in agents.
func (s *Service) fullNow(ctx context.Context, tx *store.DB, conv *models.Conversation, agents []candidate, id uint64) (bool, error) {
	i := slices.IndexFunc(agents, func(c candidate) bool { return c.UserID == id })
	if i < 0 || agents[i].limit == 0 {
		return false, nil
	}
	if _, err := tx.LockUser(ctx, id); err != nil {
		return false, err
	}
	counts, err := tx.OpenCounts(ctx, conv.ShopID, []uint64{id})
	if err != nil {
		return false, err
	}
	agents[i].Open = counts[id]
	if equalIDs(conv.AssigneeID, &id) {
		agents[i].Open-- // this chat, reopened, is theirs already
	}
	return !agents[i].hasRoom(), nil
}

// setAssignee gives a conversation to a user (or to nobody) and records why in the
// thread. The user becomes the buyer's last agent, and a conversation that never had
// anything sent to it is greeted in their name.
func (s *Service) setAssignee(ctx context.Context, tx *store.DB, conv *models.Conversation, to *uint64, actor *models.User, data map[string]any, fx *effects) error {
	from := conv.AssigneeID
	if err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"assignee_id": to}); err != nil {
		return err
	}
	event := map[string]any{"from": idOrNil(from), "to": idOrNil(to)}
	for k, v := range data {
		event[k] = v
	}
	if err := fx.record(ctx, tx, conv, models.EventAssigned, actor, event); err != nil {
		return err
	}
	conv.AssigneeID = to
	if from != nil {
		fx.freed = true
	}
	if to == nil {
		return nil
	}
	if err := tx.SetLastAgent(ctx, conv.CustomerID, *to); err != nil {
		return err
	}
	return s.greet(ctx, tx, conv, *to, fx)
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

// inboxSettings reads the shop's inbox section inside the transaction (on the embedded
// store a read outside it would wait for the one connection the transaction holds); the
// defaults stand in when the settings cannot be read, so routing and greeting go on.
func (s *Service) inboxSettings(ctx context.Context, tx *store.DB, shopID uint64) models.InboxSettings {
	set, err := tx.ShopSettings(ctx, shopID)
	if err != nil {
		s.log.Warn("read shop settings; using the defaults", "shop_id", shopID, "err", fmt.Errorf("inbox: %w", err))
	}
	set.Inbox.ApplyDefaults()
	return set.Inbox
}
