package models

import (
	"fmt"
	"slices"
)

// LogisticsSettings are a shop's rules for following parcels.
type LogisticsSettings struct {
	// StuckAfterHours is how long a parcel may go without a new carrier event before the
	// chat's agent is alerted (no movement, 48 h by default).
	StuckAfterHours int `json:"stuck_after_hours"`
	// FollowUpAfterHours is how long after delivery the follow-up (回访) reminder is due.
	FollowUpAfterHours int `json:"follow_up_after_hours"`
	// PollSchedule is how often a parcel is queried by its age (since tracking started),
	// slowing down as it ages; the last step (until_days 0) holds from there on.
	PollSchedule []PollStep `json:"poll_schedule"`
	// SubscribedPollHours is the safety-net query interval of a parcel whose provider
	// pushes its updates.
	SubscribedPollHours int `json:"subscribed_poll_hours"`
	// ProviderOrder is which provider account follows a new parcel when the shop has
	// several that know its carrier.
	ProviderOrder []string `json:"provider_order"`
}

// PollStep is one step of the polling schedule: every EveryHours until the parcel is
// UntilDays old (0: from here on).
type PollStep struct {
	UntilDays  int `json:"until_days"`
	EveryHours int `json:"every_hours"`
}

// DefaultPollSchedule queries every 2 h in the first 3 days, every 6 h up to 10 days,
// then daily.
var DefaultPollSchedule = []PollStep{{UntilDays: 3, EveryHours: 2}, {UntilDays: 10, EveryHours: 6}, {EveryHours: 24}}

// ApplyDefaults fills unset values.
func (l *LogisticsSettings) ApplyDefaults() {
	if l.StuckAfterHours == 0 {
		l.StuckAfterHours = 48
	}
	if l.FollowUpAfterHours == 0 {
		l.FollowUpAfterHours = 72
	}
	if len(l.PollSchedule) == 0 {
		l.PollSchedule = slices.Clone(DefaultPollSchedule)
	}
	if l.SubscribedPollHours == 0 {
		l.SubscribedPollHours = 24
	}
	if len(l.ProviderOrder) == 0 {
		l.ProviderOrder = slices.Clone(TrackingProviders)
	}
}

// Validate checks the ranges; the schedule must slow down step by step and end with an
// open step.
func (l *LogisticsSettings) Validate() error {
	switch {
	case l.StuckAfterHours < 1 || l.StuckAfterHours > 720:
		return &InvalidError{Field: "stuck_after_hours", Reason: "must be between 1 and 720"}
	case l.FollowUpAfterHours < 1 || l.FollowUpAfterHours > 1440:
		return &InvalidError{Field: "follow_up_after_hours", Reason: "must be between 1 and 1440"}
	case l.SubscribedPollHours < 1 || l.SubscribedPollHours > 168:
		return &InvalidError{Field: "subscribed_poll_hours", Reason: "must be between 1 and 168"}
	case len(l.PollSchedule) > 10:
		return &InvalidError{Field: "poll_schedule", Reason: "has at most 10 steps"}
	}
	prevDays := 0
	for i, st := range l.PollSchedule {
		field := fmt.Sprintf("poll_schedule[%d]", i)
		last := i == len(l.PollSchedule)-1
		switch {
		case st.EveryHours < 1 || st.EveryHours > 168:
			return &InvalidError{Field: field + ".every_hours", Reason: "must be between 1 and 168"}
		case last && st.UntilDays != 0:
			return &InvalidError{Field: field + ".until_days", Reason: "must be 0 on the last step (from there on)"}
		case !last && st.UntilDays <= prevDays:
			return &InvalidError{Field: field + ".until_days", Reason: "must grow from step to step"}
		}
		prevDays = st.UntilDays
	}
	seen := map[string]bool{}
	for i, p := range l.ProviderOrder {
		if !slices.Contains(TrackingProviders, p) || seen[p] {
			return &InvalidError{Field: fmt.Sprintf("provider_order[%d]", i), Reason: "must be kuaidi100 or aftership, each once"}
		}
		seen[p] = true
	}
	return nil
}
