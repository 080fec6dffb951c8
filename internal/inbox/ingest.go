package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Ingest stores what a webhook delivered. It returns only once the data is committed;
// a message the channel delivered before answers ErrDuplicate and changes nothing.
func (s *Service) Ingest(ctx context.Context, ch adapters.Channel, ev adapters.Event) error {
	switch {
	case ev.Message != nil:
		return s.ingestMessage(ctx, ch, ev.Message)
	case ev.Order != nil:
		return s.ingestOrder(ctx, ch, ev.Order)
	default:
		return errors.New("inbox: empty event")
	}
}

func (s *Service) ingestMessage(ctx context.Context, ch adapters.Channel, in *adapters.InboundMessage) error {
	var (
		msg    *models.Message
		convID uint64
	)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		now := s.now()
		cust, err := tx.EnsureCustomer(ctx, ch.ShopID, ch.ID, in.Customer.ID, in.Customer.Name)
		if err != nil {
			return err
		}
		conv, created, err := s.conversationFor(ctx, tx, ch, cust.ID, now)
		if err != nil {
			return err
		}
		ext := in.ExternalID
		msg = &models.Message{
			ShopID: ch.ShopID, ChannelID: ch.ID, ConversationID: conv.ID,
			Direction: models.DirectionIn, Type: in.Type, Text: in.Text, Status: models.MessageReceived,
			ExternalID: &ext, SenderName: in.Customer.Name,
		}
		if !in.SentAt.IsZero() {
			sent := in.SentAt
			msg.SentAt = &sent
		}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		reopened := !created && conv.Status == models.StatusResolved
		if err := tx.RecordInbound(ctx, conv.ID, now, preview(in)); err != nil {
			return err
		}
		convID = conv.ID
		if created || reopened || conv.AssigneeID == nil {
			return s.route(ctx, tx, conv)
		}
		return nil
	})
	if errors.Is(err, store.ErrDuplicate) {
		s.count(ch.Type, true)
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("inbox: ingest message %q: %w", in.ExternalID, err)
	}
	s.count(ch.Type, false)
	s.publishMessage(ctx, realtime.MessageCreated, msg)
	s.publishConversation(ctx, ch.ShopID, convID)
	return nil
}

func (s *Service) count(channelType string, duplicate bool) {
	if s.metrics != nil {
		s.metrics.MessageIn(channelType, duplicate)
	}
}

// conversationFor returns the buyer's conversation, locked, creating it with the stage
// their latest order gives.
func (s *Service) conversationFor(ctx context.Context, tx *store.DB, ch adapters.Channel, customerID uint64, now time.Time) (*models.Conversation, bool, error) {
	conv, err := tx.LockConversation(ctx, ch.ID, customerID)
	if err == nil {
		return conv, false, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	latest, err := tx.LatestOrder(ctx, customerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	conv = &models.Conversation{
		ShopID: ch.ShopID, ChannelID: ch.ID, CustomerID: customerID,
		Stage: StageOf(latest), Status: models.StatusOpen, LastMessageAt: now,
	}
	created, err := tx.CreateConversation(ctx, conv)
	return conv, created, err
}

func preview(in *adapters.InboundMessage) string {
	if in.Type == "text" {
		return in.Text
	}
	return "[" + in.Type + "]"
}

// ingestOrder stores the platform's view of an order unless a newer one is stored,
// and moves the buyer's conversation to the stage the order gives.
func (s *Service) ingestOrder(ctx context.Context, ch adapters.Channel, in *adapters.OrderEvent) error {
	var changedConv uint64
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		changedConv = 0
		cust, err := tx.EnsureCustomer(ctx, ch.ShopID, ch.ID, in.CustomerID, "")
		if err != nil {
			return err
		}
		o := orderFromEvent(ch, cust.ID, in)
		applied, _, err := tx.UpsertOrder(ctx, o)
		if err != nil || !applied {
			return err
		}
		latest, err := tx.LatestOrder(ctx, cust.ID)
		if err != nil {
			return err
		}
		conv, err := tx.LockConversation(ctx, ch.ID, cust.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // the stage is set when the buyer first writes
		}
		if err != nil {
			return err
		}
		// An order change always re-classifies, ending any manual stage.
		stage := StageOf(latest)
		if stage == conv.Stage {
			return nil
		}
		if err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"stage": stage}); err != nil {
			return err
		}
		conv.Stage = stage
		changedConv = conv.ID
		if conv.AssigneeID != nil && !s.agentHasSkill(ctx, tx, *conv.AssigneeID, stage) {
			err = s.route(ctx, tx, conv)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("inbox: ingest order %q: %w", in.ExternalID, err)
	}
	if changedConv != 0 {
		s.publishConversation(ctx, ch.ShopID, changedConv)
	}
	return nil
}

func orderFromEvent(ch adapters.Channel, customerID uint64, in *adapters.OrderEvent) *models.Order {
	o := &models.Order{
		ShopID: ch.ShopID, ChannelID: ch.ID, CustomerID: customerID, ExternalID: in.ExternalID,
		Status: in.Status, Total: in.Total, Currency: in.Currency,
		Items: models.JSON[[]models.OrderItem]{V: in.Items}, PlatformUpdatedAt: in.UpdatedAt,
	}
	if in.Address != nil {
		o.Address.V = *in.Address
	}
	if in.Tracking != nil {
		o.TrackingCarrier, o.TrackingNumber = in.Tracking.Carrier, in.Tracking.Number
	}
	return o
}
