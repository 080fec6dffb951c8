package inbox

import (
	"context"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// RestageByCarrier moves a buyer's conversation to the stage their latest order gives,
// after a carrier's report changed one of their orders (a delivery ChatBridge learned
// before the platform said so). It runs inside the caller's transaction, with conv
// locked, and records the stage change with by "logistics", re-routing the chat when
// its agent lacks the new stage's skill. The function it returns (nil when the stage
// stayed) publishes the conversation and the thread's events after the commit.
func (s *Service) RestageByCarrier(ctx context.Context, tx *store.DB, conv *models.Conversation) (func(context.Context), error) {
	fx := &effects{}
	if err := s.restage(ctx, tx, conv, conv.CustomerID, "logistics", fx); err != nil || len(fx.conversations) == 0 {
		return nil, err
	}
	shopID := conv.ShopID
	return func(ctx context.Context) { s.apply(ctx, shopID, fx) }, nil
}
