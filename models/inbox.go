package models

import "time"

// ForbiddenPhrase is one entry of a shop's list of forbidden service phrases (服务忌语).
// Normalized is the phrase as the matcher sees it; the list holds each once.
type ForbiddenPhrase struct {
	ID         uint64
	ShopID     uint64
	Phrase     string
	Normalized string
	// Standard marks a phrase of the standard list the shop's list started with.
	Standard  bool
	CreatedBy *uint64
	CreatedAt time.Time
}

// QuickReply is a prepared answer (快捷短语): shop-wide (OwnerID nil, kept by the
// supervisor) or an agent's own. Stage and Step group it; empty means any.
type QuickReply struct {
	ID        uint64
	ShopID    uint64
	OwnerID   *uint64
	Stage     string
	Step      string
	Title     string
	Text      string
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FlowSteps are the steps of the pre-sale flow (售前流程) quick replies are grouped by:
// greeting → current promotion → product introduction → order confirmation → ask to
// favourite the shop.
var FlowSteps = []string{"greeting", "promotion", "product", "order_confirmation", "favorite"}

// QuickReplyVariables are the variables a quick reply may use; they are filled from the
// conversation it is used in.
var QuickReplyVariables = []string{"buyer_name", "order_id", "tracking_no", "carrier", "agent_no", "agent_name", "shop"}
