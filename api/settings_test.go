package api_test

import (
	"net/http"
	"testing"
)

// Shop settings: everyone of the shop reads them; the supervisor changes a section,
// which is validated and kept apart from other shops'; agents may not change them.
func contractShopSettings(t *testing.T, e *env) {
	shop := e.createShop("settings")
	other := e.createShop("settings-other")
	sup := e.as(e.createUser(shop, "settings-sup", "supervisor"))
	agent := e.as(e.createUser(shop, "settings-agent", "agent", allSkills...))
	otherSup := e.as(e.createUser(other, "settings-other-sup", "supervisor"))

	var s struct{ Timezone string }
	agent.do("GET", "/api/v1/settings", nil, http.StatusOK, &s)
	if s.Timezone != "Asia/Shanghai" {
		t.Fatalf("a new shop's timezone is %q, want the default Asia/Shanghai", s.Timezone)
	}
	sup.do("PUT", "/api/v1/settings/timezone", `"Europe/Berlin"`, http.StatusOK, &s)
	if s.Timezone != "Europe/Berlin" {
		t.Fatalf("after the change the timezone is %q", s.Timezone)
	}
	agent.do("GET", "/api/v1/settings", nil, http.StatusOK, &s)
	if s.Timezone != "Europe/Berlin" {
		t.Fatalf("the agent reads timezone %q after the supervisor's change", s.Timezone)
	}
	otherSup.do("GET", "/api/v1/settings", nil, http.StatusOK, &s)
	if s.Timezone != "Asia/Shanghai" {
		t.Fatalf("another shop's timezone became %q", s.Timezone)
	}

	sup.fail("PUT", "/api/v1/settings/timezone", `"Mars/Olympus"`, http.StatusBadRequest, "timezone")
	sup.fail("PUT", "/api/v1/settings/no_such_section", map[string]any{}, http.StatusBadRequest, "no_such_section")
	agent.fail("PUT", "/api/v1/settings/timezone", `"UTC"`, http.StatusForbidden)
	otherSup.fail("GET", "/api/v1/settings?shop_id="+shop, nil, http.StatusNotFound)
	e.admin.do("GET", "/api/v1/settings?shop_id="+shop, nil, http.StatusOK, &s)
	if s.Timezone != "Europe/Berlin" {
		t.Fatalf("the admin reads timezone %q", s.Timezone)
	}
}
