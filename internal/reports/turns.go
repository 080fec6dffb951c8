package reports

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// A buyer turn is how first-response time and reply rate are measured. It starts with
// a buyer message when no earlier buyer message of the conversation is waiting (the
// conversation's first message, or the first after a reply or a resolve); the buyer's
// further messages before an answer belong to it. It ends:
//   - answered, by the first reply: an outbound message written by a member of staff,
//     not automatic (the rating invitation, the greeting) and not failed. Its first-response time is the reply's
//     time minus the turn's start (both as ChatBridge stored them), and it counts for
//     the replying agent;
//   - unanswered, when the conversation is resolved first, or still waiting when the
//     report is made. It counts for the conversation's assignee at that moment (from
//     the assignment events), or for nobody ("unassigned").
//
// A turn belongs to the day, in the shop's time zone, on which it started.
type turn struct {
	conversationID uint64
	start          time.Time
	answered       bool
	response       time.Duration
	agent          uint64 // 0: unassigned
	closedAt       time.Time
}

// timeline is what one conversation's turns are read from.
type timeline struct {
	// waiting says a turn that started before the range was waiting at its start.
	waiting  bool
	messages []store.ReportMessage // from the range's start on, in thread order
	resolves []time.Time           // resolve times from the range's start on, in order
	assigns  []models.ConversationEvent
}

// turns reads the turns of one conversation that started in [from, to); now ends the
// ones still waiting.
func (tl *timeline) turns(conversationID uint64, from, to, now time.Time) []turn {
	var (
		out     []turn
		waiting = tl.waiting
		inRange bool // the waiting turn started in the range
		start   time.Time
	)
	closeUnanswered := func(at time.Time) {
		if waiting && inRange {
			out = append(out, turn{conversationID: conversationID, start: start, closedAt: at, agent: assigneeAt(tl.assigns, at)})
		}
		waiting = false
	}
	r := 0
	for _, m := range tl.messages {
		for r < len(tl.resolves) && tl.resolves[r].Before(m.CreatedAt) {
			closeUnanswered(tl.resolves[r])
			r++
		}
		switch {
		case m.Direction == models.DirectionIn && !waiting:
			waiting, start = true, m.CreatedAt
			inRange = !start.Before(from) && start.Before(to)
		case m.IsReply() && waiting:
			if inRange {
				out = append(out, turn{conversationID: conversationID, start: start, answered: true,
					response: m.CreatedAt.Sub(start), agent: *m.SenderID, closedAt: m.CreatedAt})
			}
			waiting = false
		}
	}
	for ; r < len(tl.resolves); r++ {
		closeUnanswered(tl.resolves[r])
	}
	closeUnanswered(now)
	return out
}

// assigneeAt is whom the assignment events gave the conversation to at t (0: nobody).
func assigneeAt(assigns []models.ConversationEvent, t time.Time) uint64 {
	var who uint64
	for _, e := range assigns {
		if e.CreatedAt.After(t) {
			break
		}
		var d struct {
			To *string `json:"to"`
		}
		who = 0
		if json.Unmarshal(e.Data.V, &d) == nil && d.To != nil {
			who, _ = strconv.ParseUint(*d.To, 10, 64)
		}
	}
	return who
}

func sortEvents(evs []models.ConversationEvent) {
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].CreatedAt.Equal(evs[j].CreatedAt) {
			return evs[i].CreatedAt.Before(evs[j].CreatedAt)
		}
		return evs[i].ID < evs[j].ID
	})
}
