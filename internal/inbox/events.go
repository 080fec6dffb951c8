package inbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// record stores what happened to a conversation, inside the transaction that did it.
func record(ctx context.Context, tx *store.DB, conv *models.Conversation, kind string, actor *models.User, data map[string]any) error {
	e, err := newEvent(conv, kind, actor, data)
	if err != nil {
		return err
	}
	return tx.InsertConversationEvent(ctx, e)
}

func newEvent(conv *models.Conversation, kind string, actor *models.User, data map[string]any) (*models.ConversationEvent, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("inbox: encode %s event: %w", kind, err)
	}
	e := &models.ConversationEvent{ShopID: conv.ShopID, ConversationID: conv.ID, Kind: kind,
		Data: models.JSON[json.RawMessage]{V: raw}}
	if actor != nil {
		e.ActorID = &actor.ID
	}
	return e, nil
}

// idOrNil renders an optional user id for an event's data.
func idOrNil(id *uint64) any {
	if id == nil {
		return nil
	}
	return view.ID(*id)
}
