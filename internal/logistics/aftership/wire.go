package aftership

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/models"
)

// envelope is every AfterShip answer: meta says how it went, data carries the result.
type envelope struct {
	Meta meta            `json:"meta"`
	Data json.RawMessage `json:"data"`
}

type meta struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// Meta codes ChatBridge acts on (AfterShip's request errors).
const (
	codeTrackingExists = 4003
	codeNotFound       = 4004
)

// createRequest is the body of POST /trackings.
type createRequest struct {
	TrackingNumber string `json:"tracking_number"`
	Slug           string `json:"slug,omitempty"`
}

// tracking is AfterShip's tracking object, as far as ChatBridge reads it.
type tracking struct {
	ID             string       `json:"id"`
	TrackingNumber string       `json:"tracking_number"`
	Slug           string       `json:"slug"`
	Tag            string       `json:"tag"`
	Subtag         string       `json:"subtag"`
	Checkpoints    []checkpoint `json:"checkpoints"`
}

type checkpoint struct {
	CheckpointTime string `json:"checkpoint_time"`
	Message        string `json:"message"`
	Location       string `json:"location"`
	City           string `json:"city"`
	State          string `json:"state"`
	CountryName    string `json:"country_name"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
}

// trackingList is the data of GET /trackings.
type trackingList struct {
	Trackings []tracking `json:"trackings"`
}

// webhook is the body of a webhook delivery.
type webhook struct {
	Event   string    `json:"event"`
	EventID string    `json:"event_id"`
	TS      int64     `json:"ts"`
	Msg     *tracking `json:"msg"`
}

// eventTrackingUpdate is the webhook event of a shipment status change; the others
// (edd_revise, tracking_pending_time) carry nothing ChatBridge stores.
const eventTrackingUpdate = "tracking_update"

// stateOf maps AfterShip's delivery status (tag) and sub-status (subtag) to a unified
// state: the sub-statuses of a refusal and of a return are told apart from other
// exceptions.
func stateOf(tag, subtag string) models.ParcelState {
	switch subtag {
	case "Exception_003": // Customer refused delivery
		return models.ParcelRefused
	case "Exception_010": // Returning to sender
		return models.ParcelReturning
	case "Exception_011": // Returned to sender
		return models.ParcelReturned
	}
	switch tag {
	case "Pending", "InfoReceived":
		return models.ParcelPending
	case "InTransit":
		return models.ParcelInTransit
	case "OutForDelivery", "AvailableForPickup":
		return models.ParcelOutForDelivery
	case "Delivered":
		return models.ParcelDelivered
	case "AttemptFail", "Exception", "Expired":
		return models.ParcelProblem
	}
	return ""
}

// snapshot turns a tracking into the unified form; field prefixes its JSON path for
// errors.
func (t *tracking) snapshot(field string) (logistics.Snapshot, error) {
	snap := logistics.Snapshot{Number: t.TrackingNumber, Carrier: t.Slug, Ref: t.ID,
		State: stateOf(t.Tag, t.Subtag), RawState: strings.Trim(t.Tag+"/"+t.Subtag, "/")}
	for i, cp := range t.Checkpoints {
		at, err := parseTime(cp.CheckpointTime)
		if err != nil {
			return snap, fmt.Errorf("%s.checkpoints[%d].checkpoint_time: %w", field, i, err)
		}
		snap.Events = append(snap.Events, logistics.Event{At: at, Text: cp.Message, Location: location(cp),
			Status: cp.Tag, State: stateOf(cp.Tag, cp.Subtag)})
	}
	return snap, nil
}

// parseTime reads a checkpoint time: with an offset when the carrier gave one, else in
// the checkpoint's local time, which AfterShip does not name (read as UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return t, fmt.Errorf("is not a time like 2006-01-02T15:04:05Z: %q", s)
	}
	return t, nil
}

func location(cp checkpoint) string {
	if cp.Location != "" {
		return cp.Location
	}
	var parts []string
	for _, p := range []string{cp.City, cp.State, cp.CountryName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
