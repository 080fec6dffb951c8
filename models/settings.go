package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// ShopSettings are a shop's own rules, edited by its supervisor: one section per area of
// the product (the routing limits, the reminder offsets...). A section is a struct field
// with a json name; when its type has the methods below, ApplyDefaults and Validate call
// them, so a new area adds its field here and its section type in a file of its own.
type ShopSettings struct {
	// Timezone is the shop's IANA time zone: daily digests and reports follow it.
	Timezone string `json:"timezone"`
	// Service holds the service standards and the rules of tickets, ratings and
	// complaints (service_settings.go).
	Service ServiceSettings `json:"service"`
	// Inbox holds the greeting, the routing limit and the presence grace period.
	Inbox InboxSettings `json:"inbox"`
	// Logistics is how parcels are followed (models/settings_logistics.go).
	Logistics LogisticsSettings `json:"logistics"`
}

// defaulter fills a section's unset values.
type defaulter interface{ ApplyDefaults() }

// validator checks a section; it answers an *InvalidError naming the field.
type validator interface{ Validate() error }

// DefaultTimezone is where most of ChatBridge's shops are.
const DefaultTimezone = "Asia/Shanghai"

// ApplyDefaults fills every unset value with its default.
func (s *ShopSettings) ApplyDefaults() {
	if s.Timezone == "" {
		s.Timezone = DefaultTimezone
	}
	s.eachSection(func(_ string, section any) error {
		if d, ok := section.(defaulter); ok {
			d.ApplyDefaults()
		}
		return nil
	})
}

// Validate checks every section.
func (s *ShopSettings) Validate() error {
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" {
		return &InvalidError{Field: "timezone", Reason: "must be an IANA time zone such as Asia/Shanghai"}
	}
	return s.eachSection(func(name string, section any) error {
		v, ok := section.(validator)
		if !ok {
			return nil
		}
		err := v.Validate()
		var inv *InvalidError
		if errors.As(err, &inv) {
			return &InvalidError{Field: name + "." + inv.Field, Reason: inv.Reason}
		}
		return err
	})
}

// Location is the shop's time zone (the default one if the stored name is unknown).
func (s *ShopSettings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.Timezone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultTimezone)
	return loc
}

// eachSection calls fn with the json name and a pointer to every struct section.
func (s *ShopSettings) eachSection(fn func(name string, section any) error) error {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Struct {
			continue
		}
		name, _, _ := cutTag(v.Type().Field(i).Tag.Get("json"))
		if err := fn(name, f.Addr().Interface()); err != nil {
			return err
		}
	}
	return nil
}

func cutTag(tag string) (string, string, bool) {
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

// ReplaceSection sets one section (or "timezone") from its JSON, refusing unknown
// fields, then fills defaults and validates the whole.
func (s *ShopSettings) ReplaceSection(name string, raw json.RawMessage) error {
	whole, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("settings: encode: %w", err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(whole, &sections); err != nil {
		return fmt.Errorf("settings: decode: %w", err)
	}
	if _, ok := sections[name]; !ok {
		return &InvalidError{Field: "section", Reason: fmt.Sprintf("there is no settings section %q", name)}
	}
	sections[name] = raw
	merged, err := json.Marshal(sections)
	if err != nil {
		return &InvalidError{Field: name, Reason: "is not valid JSON"}
	}
	var next ShopSettings
	if err := decodeStrict(merged, &next); err != nil {
		return &InvalidError{Field: name, Reason: err.Error()}
	}
	next.ApplyDefaults()
	if err := next.Validate(); err != nil {
		return err
	}
	*s = next
	return nil
}
