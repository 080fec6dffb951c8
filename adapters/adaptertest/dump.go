package adaptertest

import (
	"encoding/json"

	"github.com/chatbridge/chatbridge/adapters"
)

// dump renders events for a failure message, pointers followed.
func dump(events []adapters.Event) string {
	raw, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(raw)
}
