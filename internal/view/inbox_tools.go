package view

import (
	"github.com/chatbridge/chatbridge/internal/quickreplies"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// QuickReply is a prepared answer. Scope is "shop" (everyone's) or "personal" (the
// user's own).
type QuickReply struct {
	ID       string   `json:"id"`
	Scope    string   `json:"scope"`
	Stage    string   `json:"stage"`
	Step     string   `json:"step"`
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	Position int      `json:"position"`
	Rendered *string  `json:"rendered,omitempty"`
	Missing  []string `json:"missing,omitempty"`
}

// NewQuickReply renders a quick reply.
func NewQuickReply(r *models.QuickReply) QuickReply {
	scope := "shop"
	if r.OwnerID != nil {
		scope = "personal"
	}
	return QuickReply{ID: ID(r.ID), Scope: scope, Stage: r.Stage, Step: r.Step, Title: r.Title, Text: r.Text, Position: r.Position}
}

// NewRenderedQuickReply renders a quick reply filled in for a conversation.
func NewRenderedQuickReply(r *quickreplies.Rendered) QuickReply {
	v := NewQuickReply(&r.QuickReply)
	v.Rendered = &r.Rendered
	v.Missing = r.Missing
	return v
}

// ForbiddenPhrase is one phrase of a shop's list.
type ForbiddenPhrase struct {
	ID        string `json:"id"`
	Phrase    string `json:"phrase"`
	Standard  bool   `json:"standard"`
	CreatedAt string `json:"created_at"`
}

// NewForbiddenPhrase renders a phrase.
func NewForbiddenPhrase(p *models.ForbiddenPhrase) ForbiddenPhrase {
	return ForbiddenPhrase{ID: ID(p.ID), Phrase: p.Phrase, Standard: p.Standard, CreatedAt: Time(p.CreatedAt)}
}

// StageCounts are a stage queue's numbers for the tab badges.
type StageCounts struct {
	Open       int `json:"open"`
	Unassigned int `json:"unassigned"`
	Mine       int `json:"mine"`
	Unread     int `json:"unread"`
}

// NewStageCounts renders the counts of one stage.
func NewStageCounts(c store.StageCounts) StageCounts {
	return StageCounts{Open: c.Open, Unassigned: c.Unassigned, Mine: c.Mine, Unread: c.Unread}
}
