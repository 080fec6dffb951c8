package view

import "time"

// ReplyWindow is how long and how many more times an agent may still answer the buyer
// on a platform that limits replies; RepliesLeft is null where it sets no count.
type ReplyWindow struct {
	ClosesAt    string `json:"closes_at"`
	RepliesLeft *int   `json:"replies_left"`
}

// NewReplyWindow renders a reply window.
func NewReplyWindow(closesAt time.Time, repliesLeft *int) *ReplyWindow {
	return &ReplyWindow{ClosesAt: closesAt.UTC().Format(time.RFC3339), RepliesLeft: repliesLeft}
}
