package telegram

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

type user struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type photoSize struct {
	FileID   string `json:"file_id"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	FileSize int64  `json:"file_size"`
}

type file struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
}

type message struct {
	MessageID int64       `json:"message_id"`
	From      *user       `json:"from"`
	Chat      *chat       `json:"chat"`
	Date      int64       `json:"date"`
	Text      string      `json:"text"`
	Caption   string      `json:"caption"`
	Photo     []photoSize `json:"photo"`
	Document  *file       `json:"document"`
	Voice     *file       `json:"voice"`
	Audio     *file       `json:"audio"`
	Video     *file       `json:"video"`
	Sticker   *struct {
		Emoji string `json:"emoji"`
	} `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"location"`
	Contact *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
	} `json:"contact"`
}

type update struct {
	UpdateID *int64   `json:"update_id"`
	Message  *message `json:"message"`
}

// ParseUpdate reads one webhook update. Only new messages are for the inbox: edits,
// button presses, membership changes and the like are accepted and give nothing, so
// Telegram does not redeliver them. A message's ExternalID is "chat_id:message_id":
// the same on every redelivery, unique per bot, and unlike update_id it does not
// restart at random after a quiet week.
func ParseUpdate(body []byte) ([]adapters.Event, error) {
	var u update
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, &adapters.BadRequestError{Field: "body", Reason: "must be a Telegram Update object"}
	}
	if u.UpdateID == nil {
		return nil, &adapters.BadRequestError{Field: "update_id", Reason: "is required"}
	}
	m := u.Message
	if m == nil {
		return []adapters.Event{}, nil
	}
	if m.Chat == nil || m.MessageID == 0 {
		return nil, &adapters.BadRequestError{Field: "message.chat", Reason: "is required"}
	}
	in := inbound(m)
	if in == nil {
		return []adapters.Event{}, nil // a service message (a member joined, a pin...)
	}
	return []adapters.Event{{Message: in}}, nil
}

func inbound(m *message) *adapters.InboundMessage {
	chatID := strconv.FormatInt(m.Chat.ID, 10)
	in := &adapters.InboundMessage{
		ExternalID: chatID + ":" + strconv.FormatInt(m.MessageID, 10),
		Customer:   adapters.Customer{ID: chatID, Name: name(m)},
		Text:       m.Text,
		Type:       "text",
	}
	if m.Date > 0 {
		in.SentAt = time.Unix(m.Date, 0).UTC()
	}
	media := func(typ, placeholder string, f *file) {
		in.Type, in.Text = typ, m.Caption
		if in.Text == "" {
			in.Text = placeholder
		}
		if f != nil && f.FileID != "" {
			in.Media = &adapters.MediaRef{ID: f.FileID, MimeType: f.MimeType, FileName: f.FileName}
		}
	}
	switch {
	case m.Text != "":
	case len(m.Photo) > 0:
		media("image", "[photo]", &file{FileID: largest(m.Photo)})
	case m.Document != nil:
		media("file", "[file] "+m.Document.FileName, m.Document)
	case m.Voice != nil:
		media("voice", "[voice]", m.Voice)
	case m.Audio != nil:
		media("voice", "[audio]", m.Audio)
	case m.Video != nil:
		media("video", "[video]", m.Video)
	case m.Sticker != nil:
		in.Type, in.Text = "sticker", strings.TrimSpace("[sticker] "+m.Sticker.Emoji)
	case m.Location != nil:
		in.Type, in.Text = "location", fmt.Sprintf("[location] %.6f, %.6f", m.Location.Latitude, m.Location.Longitude)
	case m.Contact != nil:
		in.Type, in.Text = "contact", strings.TrimSpace("[contact] "+m.Contact.FirstName+" "+m.Contact.PhoneNumber)
	default:
		return nil
	}
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" {
		return nil
	}
	return in
}

// largest picks the biggest size of a photo: Telegram lists several.
func largest(sizes []photoSize) string {
	best, area := "", -1
	for _, s := range sizes {
		if a := s.Width * s.Height; s.FileID != "" && a >= area {
			best, area = s.FileID, a
		}
	}
	return best
}

// name is the sender's name: first and last name, else the username, else the
// chat's title for a group.
func name(m *message) string {
	var first, last, username string
	if m.From != nil {
		first, last, username = m.From.FirstName, m.From.LastName, m.From.Username
	} else {
		first, last, username = m.Chat.FirstName, m.Chat.LastName, m.Chat.Username
	}
	n := strings.TrimSpace(first + " " + last)
	if n == "" && username != "" {
		n = "@" + username
	}
	if n == "" {
		n = m.Chat.Title
	}
	if len(n) > 191 {
		n = n[:191]
	}
	return strings.ToValidUTF8(n, "")
}
