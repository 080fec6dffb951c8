package models

import (
	"encoding/json"
	"errors"
	"testing"
)

// A fresh shop follows parcels by the documented defaults.
func TestLogisticsDefaults(t *testing.T) {
	var s ShopSettings
	s.ApplyDefaults()
	l := s.Logistics
	if l.StuckAfterHours != 48 || l.FollowUpAfterHours != 72 || l.SubscribedPollHours != 24 {
		t.Fatalf("defaults = %+v", l)
	}
	if len(l.PollSchedule) != 3 || l.PollSchedule[0] != (PollStep{3, 2}) || l.PollSchedule[2] != (PollStep{0, 24}) {
		t.Fatalf("default schedule = %+v", l.PollSchedule)
	}
	if len(l.ProviderOrder) != 2 || l.ProviderOrder[0] != ProviderKuaidi100 {
		t.Fatalf("default provider order = %v", l.ProviderOrder)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	// The defaults are copies: changing one shop's schedule leaves the next shop's alone.
	s.Logistics.PollSchedule[0].EveryHours = 1
	var fresh ShopSettings
	fresh.ApplyDefaults()
	if fresh.Logistics.PollSchedule[0].EveryHours != 2 {
		t.Fatal("a shop's schedule change leaked into the defaults")
	}
}

// Each wrong value is refused naming its field, prefixed with the section.
func TestLogisticsValidation(t *testing.T) {
	cases := []struct {
		raw, field string
	}{
		{`{"stuck_after_hours": 0.5}`, "logistics"},
		{`{"stuck_after_hours": 721}`, "logistics.stuck_after_hours"},
		{`{"follow_up_after_hours": -1}`, "logistics.follow_up_after_hours"},
		{`{"subscribed_poll_hours": 200}`, "logistics.subscribed_poll_hours"},
		{`{"poll_schedule": [{"until_days": 3, "every_hours": 0}, {"every_hours": 24}]}`, "logistics.poll_schedule[0].every_hours"},
		{`{"poll_schedule": [{"until_days": 3, "every_hours": 2}, {"until_days": 3, "every_hours": 6}, {"every_hours": 24}]}`, "logistics.poll_schedule[1].until_days"},
		{`{"poll_schedule": [{"until_days": 3, "every_hours": 2}]}`, "logistics.poll_schedule[0].until_days"},
		{`{"provider_order": ["kuaidi100", "kuaidi100"]}`, "logistics.provider_order[1]"},
		{`{"provider_order": ["17track"]}`, "logistics.provider_order[0]"},
		{`{"stuck_hours": 24}`, "logistics"},
	}
	for _, c := range cases {
		var s ShopSettings
		s.ApplyDefaults()
		err := s.ReplaceSection("logistics", json.RawMessage(c.raw))
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Field != c.field {
			t.Errorf("%s: error %v, want an InvalidError on %s", c.raw, err, c.field)
		}
	}
	var s ShopSettings
	s.ApplyDefaults()
	err := s.ReplaceSection("logistics", json.RawMessage(`{"stuck_after_hours": 24, "poll_schedule": [{"until_days": 2, "every_hours": 1}, {"every_hours": 12}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Logistics.StuckAfterHours != 24 || len(s.Logistics.PollSchedule) != 2 || s.Logistics.FollowUpAfterHours != 72 {
		t.Fatalf("after the change: %+v", s.Logistics)
	}
}
