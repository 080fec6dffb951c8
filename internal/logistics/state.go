package logistics

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// Exceptions shown beside the chat and raised as alerts on the buyer's conversation.
const (
	ExceptionStuck    = "stuck"    // no new carrier event for the shop's threshold
	ExceptionProblem  = "problem"  // 疑难: the carrier reports a problem
	ExceptionReturned = "returned" // 拒签 / 退回 / 退签
)

// Alert kinds this package raises.
const (
	AlertStuck    = "parcel_stuck"
	AlertProblem  = "parcel_problem"
	AlertReturned = "parcel_returned"
	AlertFollowUp = "follow_up"
)

// EventParcel is the kind of the conversation events recorded for a parcel's
// exceptions and its delivery, so the thread shows them.
const EventParcel = "parcel"

// final reports states after which the carrier has nothing more to say.
func final(s models.ParcelState) bool {
	return s == models.ParcelDelivered || s == models.ParcelReturned
}

// returning reports the states of a parcel going back to the shop.
func returning(s models.ParcelState) bool {
	return s == models.ParcelRefused || s == models.ParcelReturning || s == models.ParcelReturned
}

// Transition is what a state change means for the shop.
type Transition struct {
	From, To models.ParcelState
	// Raises is the exception the change raises ("" for none).
	Raises string
	// Delivered reports that the parcel was just signed for.
	Delivered bool
	// Clears reports that the change ends the parcel's open problem.
	Clears bool
}

// NextState decides a parcel's state when a provider reports to, and what that
// change raises. A delivered parcel only moves on to a return (a refusal after the
// carrier first reported delivery); a returned one does not move at all. Entering a
// problem, or entering the return path from outside it, raises once per occurrence.
func NextState(from, to models.ParcelState) Transition {
	t := Transition{From: from, To: to}
	switch {
	case to == "" || to == from:
		t.To = from
		return t
	case from == models.ParcelReturned:
		t.To = from
		return t
	case from == models.ParcelDelivered && !returning(to):
		t.To = from
		return t
	}
	switch {
	case to == models.ParcelProblem:
		t.Raises = ExceptionProblem
	case returning(to) && !returning(from):
		t.Raises = ExceptionReturned
	case to == models.ParcelDelivered:
		t.Delivered = true
	}
	t.Clears = from == models.ParcelProblem && to != models.ParcelProblem
	return t
}

// EventKey identifies a timeline line within its parcel: the carrier's time and text.
// Providers re-send the whole history with every push; the key stores each line once
// (快递100's rule: de-duplicate on com, nu and the latest ftime/context).
func EventKey(at time.Time, text string) string {
	sum := sha256.Sum256([]byte(at.UTC().Format(time.RFC3339) + "\n" + strings.TrimSpace(text)))
	return hex.EncodeToString(sum[:16])
}

// PollInterval is how long until a parcel of this age is queried again: the shop's
// schedule slows down as the parcel ages, and a parcel whose provider pushes its
// updates is queried only as a safety net.
func PollInterval(cfg models.LogisticsSettings, age time.Duration, subscribed bool) time.Duration {
	every := 24 * time.Hour
	for _, st := range cfg.PollSchedule {
		if st.UntilDays == 0 || age < time.Duration(st.UntilDays)*24*time.Hour {
			every = time.Duration(st.EveryHours) * time.Hour
			break
		}
	}
	if safety := time.Duration(cfg.SubscribedPollHours) * time.Hour; subscribed && every < safety {
		every = safety
	}
	return every
}

// earliest is the soonest of the set times, or nil.
func earliest(ts ...*time.Time) *time.Time {
	var min *time.Time
	for _, t := range ts {
		if t != nil && (min == nil || t.Before(*min)) {
			v := *t
			min = &v
		}
	}
	return min
}

// due reports whether a time is set and has come.
func due(t *time.Time, now time.Time) bool { return t != nil && !t.After(now) }
