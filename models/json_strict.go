package models

import (
	"bytes"
	"encoding/json"
)

// decodeStrict decodes JSON that must name only known fields.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
