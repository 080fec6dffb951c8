package models

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestServiceSettingsDefaultsAndValidation(t *testing.T) {
	var s ShopSettings
	s.ApplyDefaults()
	want := ServiceSettings{FirstResponseTargetSeconds: 30, RatingInvitation: false, RatingInvitationText: DefaultRatingInvitationText,
		ComplaintDeadlineHours: 48, RepeatComplaintDays: 30, TicketReminderMinutes: 60}
	if s.Service != want {
		t.Fatalf("defaults: %+v, want %+v", s.Service, want)
	}

	if err := s.ReplaceSection("service", json.RawMessage(`{"first_response_target_seconds":45,"rating_invitation":true}`)); err != nil {
		t.Fatal(err)
	}
	if s.Service.FirstResponseTargetSeconds != 45 || !s.Service.RatingInvitation || s.Service.ComplaintDeadlineHours != 48 ||
		s.Service.RatingInvitationText != DefaultRatingInvitationText {
		t.Fatalf("after replacing the section: %+v (unset fields take their defaults)", s.Service)
	}

	for body, field := range map[string]string{
		`{"first_response_target_seconds":-1}`: "service.first_response_target_seconds",
		`{"complaint_deadline_hours":1000}`:    "service.complaint_deadline_hours",
		`{"repeat_complaint_days":400}`:        "service.repeat_complaint_days",
		`{"ticket_reminder_minutes":-3}`:       "service.ticket_reminder_minutes",
		`{"no_such_rule":1}`:                   "service",
	} {
		before := s
		err := s.ReplaceSection("service", json.RawMessage(body))
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: error %v, want one naming %s", body, err, field)
		}
		if !reflect.DeepEqual(s, before) {
			t.Errorf("%s: a refused change was kept: %+v", body, s.Service)
		}
	}
}
