package inbox

import (
	"context"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Reroute routes a conversation again inside the caller's transaction, as a new chat is
// routed: to an online agent with its stage's skill and room, or to nobody (it waits in
// its stage queue). A shift handover sets the leaving agent offline first, so their
// chats go to someone else. conv.AssigneeID is updated to who has it now.
func (s *Service) Reroute(ctx context.Context, tx *store.DB, conv *models.Conversation) error {
	return s.route(ctx, tx, conv)
}
