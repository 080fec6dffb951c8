package inbox

import (
	"context"
	"errors"
	"strings"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// greetingKey is the once-key of a conversation's greeting: the unique index on
// (conversation, once_key) keeps it to one whatever races.
const greetingKey = "greeting"

// greet stores the shop's greeting, in the assigned agent's name, as the first message
// of a conversation that has had nothing sent yet; it goes out through the normal
// outbound path (pending, then sent or failed) once the transaction commits.
func (s *Service) greet(ctx context.Context, tx *store.DB, conv *models.Conversation, agentID uint64, fx *effects) error {
	set := s.inboxSettings(ctx, tx, conv.ShopID)
	if !set.GreetingOn() {
		return nil
	}
	sent, err := tx.HasOutbound(ctx, conv.ID)
	if err != nil || sent {
		return err
	}
	agent, err := tx.User(ctx, agentID)
	if err != nil {
		return err
	}
	shop, err := tx.Shop(ctx, conv.ShopID)
	if err != nil {
		return err
	}
	row, err := tx.ConversationRow(ctx, conv.ShopID, conv.ID)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(models.RenderTemplate(set.Greeting.Template, map[string]string{
		"shop": shop.Name, "agent_no": agentNumber(agent), "agent_name": displayName(agent), "buyer_name": row.CustomerName,
	}))
	if text == "" {
		return nil
	}
	key := greetingKey
	msg := &models.Message{
		ShopID: conv.ShopID, ChannelID: conv.ChannelID, ConversationID: conv.ID,
		Direction: models.DirectionOut, Type: "text", Text: text, Status: models.MessagePending,
		SenderID: &agent.ID, SenderName: senderName(agent), OnceKey: &key,
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil // another transaction greeted first
		}
		return err
	}
	fx.sends = append(fx.sends, msg)
	return nil
}

// agentNumber is what "{agent_no}" shows: the agent's number, else their name.
func agentNumber(u *models.User) string {
	if u.AgentNo != "" {
		return u.AgentNo
	}
	return displayName(u)
}

func displayName(u *models.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// senderName is how an outbound message shows its author: name and agent number.
func senderName(u *models.User) string {
	return strings.TrimSpace(u.DisplayName + " " + u.AgentNo)
}
