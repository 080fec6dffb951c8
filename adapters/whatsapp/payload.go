package whatsapp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type waMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media `json:"image"`
	Document *media `json:"document"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Sticker  *media `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Button *struct {
		Text string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		ButtonReply *struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
}

type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				MessagingProduct string `json:"messaging_product"`
				Metadata         struct {
					PhoneNumberID string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts []struct {
					WaID    string `json:"wa_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []waMessage `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// maxIDLen is the longest platform id the store keeps.
const maxIDLen = 191

// ParseNotification reads one webhook POST: every entry and change, the buyers'
// messages to phoneNumberID in order. Delivery statuses, reactions and messages to
// another number of the same app are accepted and give nothing.
func ParseNotification(body []byte, phoneNumberID string) ([]adapters.Event, error) {
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, &adapters.BadRequestError{Field: "body", Reason: "must be a WhatsApp webhook notification (JSON)"}
	}
	if n.Object != "whatsapp_business_account" {
		return nil, &adapters.BadRequestError{Field: "object", Reason: "must be whatsapp_business_account"}
	}
	events := []adapters.Event{}
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			v := &c.Value
			if c.Field != "messages" || v.Metadata.PhoneNumberID != phoneNumberID {
				continue
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for i := range v.Messages {
				in, err := inbound(&v.Messages[i], names)
				if err != nil {
					return nil, err
				}
				if in != nil {
					events = append(events, adapters.Event{Message: in})
				}
			}
		}
	}
	return events, nil
}

func inbound(m *waMessage, names map[string]string) (*adapters.InboundMessage, error) {
	if m.ID == "" || len(m.ID) > maxIDLen {
		return nil, &adapters.BadRequestError{Field: "messages[].id", Reason: "is required (at most 191 bytes)"}
	}
	if m.From == "" || len(m.From) > maxIDLen {
		return nil, &adapters.BadRequestError{Field: "messages[].from", Reason: "is required (at most 191 bytes)"}
	}
	in := &adapters.InboundMessage{ExternalID: m.ID, Customer: adapters.Customer{ID: m.From, Name: clip(names[m.From])}, Type: m.Type}
	if m.Timestamp != "" {
		secs, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if err != nil || secs < 0 || secs > 1<<40 {
			return nil, &adapters.BadRequestError{Field: "messages[].timestamp", Reason: "must be Unix seconds"}
		}
		in.SentAt = time.Unix(secs, 0).UTC()
	}
	file := func(typ, placeholder string, f *media) {
		in.Type, in.Text = typ, placeholder
		if f == nil {
			return
		}
		if f.Caption != "" {
			in.Text = f.Caption
		}
		if f.ID != "" {
			in.Media = &adapters.MediaRef{ID: f.ID, MimeType: f.MimeType, FileName: f.Filename}
		}
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image":
		file("image", "[image]", m.Image)
	case "document":
		file("file", "[document]", m.Document)
		if m.Document != nil && m.Document.Caption == "" && m.Document.Filename != "" {
			in.Text = "[document] " + m.Document.Filename
		}
	case "audio":
		file("voice", "[voice]", m.Audio)
	case "video":
		file("video", "[video]", m.Video)
	case "sticker":
		file("sticker", "[sticker]", m.Sticker)
	case "location":
		in.Text = "[location]"
		if l := m.Location; l != nil {
			in.Text = strings.TrimSpace(fmt.Sprintf("[location] %s %s (%.6f, %.6f)", l.Name, l.Address, l.Latitude, l.Longitude))
		}
	case "button":
		in.Type, in.Text = "text", ""
		if m.Button != nil {
			in.Text = m.Button.Text
		}
	case "interactive":
		in.Type, in.Text = "text", ""
		if it := m.Interactive; it != nil && it.ButtonReply != nil {
			in.Text = it.ButtonReply.Title
		} else if it != nil && it.ListReply != nil {
			in.Text = it.ListReply.Title
		}
	case "reaction":
		return nil, nil // a reaction to a message is not a message
	default:
		// contacts, order, unsupported...: the agent sees that something came.
		in.Type, in.Text = "other", "["+clipType(m.Type)+"]"
	}
	if strings.TrimSpace(in.Text) == "" {
		in.Text = "[" + in.Type + "]"
	}
	return in, nil
}

func clip(s string) string {
	if len(s) > maxIDLen {
		s = s[:maxIDLen]
	}
	return strings.ToValidUTF8(s, "")
}

func clipType(t string) string {
	if t == "" {
		return "message"
	}
	if len(t) > 32 {
		t = t[:32]
	}
	return strings.ToValidUTF8(t, "")
}
