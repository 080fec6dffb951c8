package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceSettings are the service standards a shop's supervisor is measured on and the
// rules that follow from them (DOMAIN.md, service standards and rules 5–9).
type ServiceSettings struct {
	// FirstResponseTargetSeconds is the time within which a waiting buyer should get the
	// first reply; the reports show the share of buyer turns answered within it.
	FirstResponseTargetSeconds int `json:"first_response_target_seconds"`
	// RatingInvitation turns on the satisfaction invitation sent when a chat is resolved.
	// Off by default: it is a message to buyers the shop should choose to send.
	RatingInvitation bool `json:"rating_invitation"`
	// RatingInvitationText is that message; buyers answer it with 1–5.
	RatingInvitationText string `json:"rating_invitation_text"`
	// ComplaintDeadlineHours is the time within which a complaint must be answered.
	ComplaintDeadlineHours int `json:"complaint_deadline_hours"`
	// RepeatComplaintDays is the window after an answered complaint within which the
	// same buyer's next complaint counts as a repeat complaint.
	RepeatComplaintDays int `json:"repeat_complaint_days"`
	// TicketReminderMinutes is how long before a ticket's due time its owner is reminded
	// (the second reminder comes when it is overdue).
	TicketReminderMinutes int `json:"ticket_reminder_minutes"`
}

// Defaults of the service section.
const (
	DefaultFirstResponseTargetSeconds = 30
	DefaultComplaintDeadlineHours     = 48
	DefaultRepeatComplaintDays        = 30
	DefaultTicketReminderMinutes      = 60
	DefaultRatingInvitationText       = "感谢您的咨询！请回复数字 1-5 为本次服务打分（5 为非常满意）。"
	maxRatingInvitationLen            = 500
)

// ApplyDefaults fills unset values.
func (s *ServiceSettings) ApplyDefaults() {
	if s.FirstResponseTargetSeconds == 0 {
		s.FirstResponseTargetSeconds = DefaultFirstResponseTargetSeconds
	}
	if strings.TrimSpace(s.RatingInvitationText) == "" {
		s.RatingInvitationText = DefaultRatingInvitationText
	}
	if s.ComplaintDeadlineHours == 0 {
		s.ComplaintDeadlineHours = DefaultComplaintDeadlineHours
	}
	if s.RepeatComplaintDays == 0 {
		s.RepeatComplaintDays = DefaultRepeatComplaintDays
	}
	if s.TicketReminderMinutes == 0 {
		s.TicketReminderMinutes = DefaultTicketReminderMinutes
	}
}

// Validate checks the ranges.
func (s *ServiceSettings) Validate() error {
	for _, r := range []struct {
		field     string
		v, lo, hi int
	}{
		{"first_response_target_seconds", s.FirstResponseTargetSeconds, 1, 3600},
		{"complaint_deadline_hours", s.ComplaintDeadlineHours, 1, 720},
		{"repeat_complaint_days", s.RepeatComplaintDays, 1, 365},
		{"ticket_reminder_minutes", s.TicketReminderMinutes, 1, 10080},
	} {
		if r.v < r.lo || r.v > r.hi {
			return &InvalidError{Field: r.field, Reason: fmt.Sprintf("must be between %d and %d", r.lo, r.hi)}
		}
	}
	if utf8.RuneCountInString(s.RatingInvitationText) > maxRatingInvitationLen {
		return &InvalidError{Field: "rating_invitation_text", Reason: fmt.Sprintf("is longer than %d characters", maxRatingInvitationLen)}
	}
	return nil
}

// FirstResponseTarget is the target as a duration.
func (s *ServiceSettings) FirstResponseTarget() time.Duration {
	return time.Duration(s.FirstResponseTargetSeconds) * time.Second
}

// ComplaintDeadline is the answer deadline of a complaint.
func (s *ServiceSettings) ComplaintDeadline() time.Duration {
	return time.Duration(s.ComplaintDeadlineHours) * time.Hour
}

// RepeatComplaintWindow is the window of repeat complaints.
func (s *ServiceSettings) RepeatComplaintWindow() time.Duration {
	return time.Duration(s.RepeatComplaintDays) * 24 * time.Hour
}

// TicketReminderLead is how long before its due time a ticket's owner is reminded.
func (s *ServiceSettings) TicketReminderLead() time.Duration {
	return time.Duration(s.TicketReminderMinutes) * time.Minute
}
