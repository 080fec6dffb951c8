package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// InboxSettings are a shop's rules for the inbox: the greeting every new chat opens with
// (DOMAIN.md rule 10), the routing limit for agents without one of their own, and how
// long an agent whose browser dropped stays online before routing stops counting on them.
type InboxSettings struct {
	Greeting GreetingSettings `json:"greeting"`
	// DefaultMaxOpen limits the open chats routed to an agent whose own limit is 0;
	// 0 here means no limit.
	DefaultMaxOpen int `json:"default_max_open"`
	// PresenceGraceSeconds is how long an online agent may have no live session before
	// they are set away.
	PresenceGraceSeconds int `json:"presence_grace_seconds"`
}

// GreetingSettings say whether and what a new conversation's first assigned agent sends.
type GreetingSettings struct {
	// Enabled is a pointer so that a shop that never saved the section gets the default (on).
	Enabled  *bool  `json:"enabled"`
	Template string `json:"template"`
}

// DefaultGreeting names the shop and the agent's number, as the service standard asks.
const DefaultGreeting = "您好，欢迎光临{shop}，我是{agent_no}号客服，很高兴为您服务！请问有什么可以帮您？"

// DefaultPresenceGrace is how long a dropped session is waited for, in seconds.
const DefaultPresenceGrace = 120

// GreetingVariables are the variables a greeting template may use.
var GreetingVariables = []string{"shop", "agent_no", "agent_name", "buyer_name"}

// ApplyDefaults fills the unset values.
func (s *InboxSettings) ApplyDefaults() {
	if s.Greeting.Enabled == nil {
		on := true
		s.Greeting.Enabled = &on
	}
	if strings.TrimSpace(s.Greeting.Template) == "" {
		s.Greeting.Template = DefaultGreeting
	}
	if s.PresenceGraceSeconds == 0 {
		s.PresenceGraceSeconds = DefaultPresenceGrace
	}
}

// Validate checks the section; errors name the field within it.
func (s *InboxSettings) Validate() error {
	if n := utf8.RuneCountInString(s.Greeting.Template); n > 500 {
		return &InvalidError{Field: "greeting.template", Reason: "must be at most 500 characters"}
	}
	if err := CheckTemplate(s.Greeting.Template, GreetingVariables); err != nil {
		return &InvalidError{Field: "greeting.template", Reason: err.Error()}
	}
	if s.DefaultMaxOpen < 0 || s.DefaultMaxOpen > 1000 {
		return &InvalidError{Field: "default_max_open", Reason: "must be between 0 (no limit) and 1000"}
	}
	if s.PresenceGraceSeconds < 15 || s.PresenceGraceSeconds > 3600 {
		return &InvalidError{Field: "presence_grace_seconds", Reason: "must be between 15 and 3600"}
	}
	return nil
}

// GreetingOn reports whether new conversations are greeted.
func (s *InboxSettings) GreetingOn() bool { return s.Greeting.Enabled == nil || *s.Greeting.Enabled }

var templateVar = regexp.MustCompile(`\{([a-z_]+)\}`)

// TemplateVariables lists the {name} variables a template uses, in order of appearance.
func TemplateVariables(tmpl string) []string {
	var out []string
	for _, m := range templateVar.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// CheckTemplate refuses a template with a variable outside allowed, naming it, so a typo
// never reaches a buyer as a literal "{odrer_id}".
func CheckTemplate(tmpl string, allowed []string) error {
	for _, v := range TemplateVariables(tmpl) {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("has the unknown variable {%s} (known: {%s})", v, strings.Join(allowed, "}, {"))
		}
	}
	return nil
}

// RenderTemplate fills a template's variables; a variable without a value becomes empty.
func RenderTemplate(tmpl string, values map[string]string) string {
	return templateVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		v, ok := values[m[1:len(m)-1]]
		if !ok {
			return m
		}
		return v
	})
}
