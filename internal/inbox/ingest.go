package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Ingest stores what a webhook delivered. It returns only once the data is committed;
// a message the channel delivered before answers ErrDuplicate and changes nothing.
func (s *Service) Ingest(ctx context.Context, ch adapters.Channel, ev adapters.Event) error {
	var err error
	switch {
	case ev.Message != nil:
		err = s.ingestMessage(ctx, ch, ev.Message)
	case ev.Order != nil:
		err = s.ingestOrder(ctx, ch, ev.Order)
	default:
		return errors.New("inbox: empty event")
	}
	if err == nil || errors.Is(err, ErrDuplicate) {
		s.noteIn(ctx, ch.ID)
	}
	return err
}

func (s *Service) ingestMessage(ctx context.Context, ch adapters.Channel, in *adapters.InboundMessage) error {
	var (
		msg    *models.Message
		convID uint64
		fx     *effects
	)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		fx = &effects{}
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
		file, err := addInboundMedia(ctx, tx, ch, in.Media, msg)
		if err != nil {
			return err
		}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		msg.Media = file
		reopened := !created && conv.Status == models.StatusResolved
		if err := tx.RecordInbound(ctx, conv.ID, now, preview(in)); err != nil {
			return err
		}
		if err := s.index(ctx, tx, conv, in.Customer.Name, in.Text); err != nil {
			return err
		}
		switch {
		case created:
			err = fx.record(ctx, tx, conv, models.EventCreated, nil, map[string]any{"stage": conv.Stage})
		case reopened:
			err = fx.record(ctx, tx, conv, models.EventReopened, nil, map[string]any{"by": "buyer"})
		}
		if err != nil {
			return err
		}
		if err := s.notifyInbound(ctx, tx, conv, msg); err != nil {
			return err
		}
		convID = conv.ID
		if created || reopened || conv.AssigneeID == nil {
			_, err = s.route(ctx, tx, conv, fx, routeOpts{reopened: reopened})
		}
		return err
	})
	if errors.Is(err, store.ErrDuplicate) {
		s.count(ch.Type, true)
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("inbox: ingest message %q: %w", in.ExternalID, err)
	}
	s.count(ch.Type, false)
	s.queueMediaFetch(ctx, msg)
	s.publishMessage(ctx, realtime.MessageCreated, msg)
	fx.touch(convID)
	s.apply(ctx, ch.ShopID, fx)
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
	return previewOf(in.Type, in.Text)
}

// previewOf is a message as the inbox list shows it: the text, or the type in brackets
// followed by any caption.
func previewOf(typ, text string) string {
	if typ == "text" {
		return text
	}
	if text = strings.TrimSpace(text); text != "" {
		return "[" + typ + "] " + text
	}
	return "[" + typ + "]"
}

// ingestOrder stores the platform's view of an order unless a newer one is stored,
// lets the order watchers react inside the same transaction, and moves the buyer's
// conversation to the stage the order gives.
func (s *Service) ingestOrder(ctx context.Context, ch adapters.Channel, in *adapters.OrderEvent) error {
	var (
		after []func(context.Context)
		fx    *effects
	)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		after, fx = nil, &effects{}
		cust, err := tx.EnsureCustomer(ctx, ch.ShopID, ch.ID, in.CustomerID, "")
		if err != nil {
			return err
		}
		o := orderFromEvent(ch, cust.ID, in)
		applied, prev, err := tx.UpsertOrder(ctx, o)
		if err != nil || !applied {
			return err
		}
		conv, err := tx.LockConversation(ctx, ch.ID, cust.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		change := OrderChange{Channel: ch, Prev: prev, Order: o, Refund: in.Refund}
		if conv != nil {
			change.ConversationID = conv.ID
		}
		if after, err = s.notifyWatchers(ctx, tx, change); err != nil {
			return err
		}
		if conv == nil {
			return nil // the stage is set when the buyer first writes
		}
		return s.restage(ctx, tx, conv, cust.ID, "order", fx)
	})
	if err != nil {
		return fmt.Errorf("inbox: ingest order %q: %w", in.ExternalID, err)
	}
	for _, fn := range after {
		fn(ctx)
	}
	s.apply(ctx, ch.ShopID, fx)
	return nil
}

// restage moves a conversation to the stage its buyer's latest order gives (an order
// change always re-classifies, ending any manual stage) and re-routes it when nobody
// with the new stage's skill holds it; by says what changed the order.
func (s *Service) restage(ctx context.Context, tx *store.DB, conv *models.Conversation, customerID uint64, by string, fx *effects) error {
	latest, err := tx.LatestOrder(ctx, customerID)
	if err != nil {
		return err
	}
	stage := StageOf(latest)
	if stage == conv.Stage {
		return nil
	}
	if err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"stage": stage}); err != nil {
		return err
	}
	err = fx.record(ctx, tx, conv, models.EventStageChanged, nil, map[string]any{"from": conv.Stage, "to": stage, "by": by})
	if err != nil {
		return err
	}
	conv.Stage = stage
	if conv.AssigneeID == nil || !s.agentHasSkill(ctx, tx, *conv.AssigneeID, stage) {
		_, err = s.route(ctx, tx, conv, fx, routeOpts{})
	}
	return err
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
