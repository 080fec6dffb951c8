package wecomkf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// maxIDLen is the longest platform id the store keeps.
const maxIDLen = 191

// syncLimit is sync_msg's largest page.
const syncLimit = 1000

// originCustomer marks a message the WeChat buyer sent (4 is a system event, 5 a
// message a servicer sent from the WeCom client).
const originCustomer = 3

type syncRequest struct {
	Cursor   string `json:"cursor,omitempty"`
	Token    string `json:"token,omitempty"`
	Limit    int    `json:"limit"`
	OpenKfID string `json:"open_kfid,omitempty"`
}

type syncResponse struct {
	NextCursor string    `json:"next_cursor"`
	HasMore    int       `json:"has_more"`
	MsgList    []kfMsgIn `json:"msg_list"`
}

type mediaField struct {
	MediaID string `json:"media_id"`
}

// kfMsgIn is one msg_list item (silenceper/wechat work/kf/syncmsg/message.go).
type kfMsgIn struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	Origin         int    `json:"origin"`
	MsgType        string `json:"msgtype"`
	Text           *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image    *mediaField `json:"image"`
	Voice    *mediaField `json:"voice"`
	Video    *mediaField `json:"video"`
	File     *mediaField `json:"file"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Link *struct {
		Title  string `json:"title"`
		URL    string `json:"url"`
		Desc   string `json:"desc"`
		PicURL string `json:"pic_url"`
	} `json:"link"`
	BusinessCard *struct {
		UserID string `json:"userid"`
	} `json:"business_card"`
	MiniProgram *struct {
		Title string `json:"title"`
	} `json:"miniprogram"`
}

// errSyncToken is WeCom's refusal of a callback's sync token (95007): expired or
// already spent. The pull goes on without it.
const errSyncToken = 95007

// Poll reads one page of sync_msg from cursor. The callback's token (hint) lifts
// sync_msg's strict frequency limit; an expired one is dropped and the page read
// without it. Only the buyers' own messages (origin 3) become inbox messages.
func (a *Adapter) Poll(ctx context.Context, ch adapters.Channel, cursor, hint string) (adapters.PollResult, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.PollResult{}, &adapters.PermanentError{Err: err}
	}
	req := syncRequest{Cursor: cursor, Token: hint, Limit: syncLimit, OpenKfID: cfg.OpenKfID}
	var page syncResponse
	err = a.call(ctx, cfg, "/cgi-bin/kf/sync_msg", "sync_msg", req, &page)
	var perm *adapters.PermanentError
	var apiErr *APIError
	if hint != "" && errors.As(err, &perm) && errors.As(err, &apiErr) && apiErr.Code == errSyncToken {
		req.Token = ""
		err = a.call(ctx, cfg, "/cgi-bin/kf/sync_msg", "sync_msg", req, &page)
	}
	if err != nil {
		return adapters.PollResult{}, err
	}
	events := pageEvents(&page)
	a.nameBuyers(ctx, cfg, events)
	return adapters.PollResult{Events: events, Cursor: page.NextCursor, More: page.HasMore == 1}, nil
}

// inbound turns a buyer's message into the unified form; nil for what is not one.
func inbound(m *kfMsgIn) *adapters.InboundMessage {
	if m.Origin != originCustomer || m.MsgID == "" || m.ExternalUserID == "" || m.OpenKfID == "" ||
		len(m.MsgID) > maxIDLen || len(m.OpenKfID)+1+len(m.ExternalUserID) > maxIDLen {
		return nil // not a buyer's message, or ids no WeCom issues: never stuck on it
	}
	in := &adapters.InboundMessage{
		ExternalID: m.MsgID,
		Customer:   adapters.Customer{ID: CustomerID(m.OpenKfID, m.ExternalUserID)},
		Type:       m.MsgType,
	}
	if m.SendTime > 0 {
		in.SentAt = time.Unix(m.SendTime, 0).UTC()
	}
	media := func(f *mediaField, placeholder string) {
		in.Text = placeholder
		if f != nil && f.MediaID != "" {
			in.Media = &adapters.MediaRef{ID: f.MediaID}
		}
	}
	switch m.MsgType {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Content
		}
		if strings.TrimSpace(in.Text) == "" {
			return nil
		}
	case "image":
		media(m.Image, "[图片]")
	case "voice":
		media(m.Voice, "[语音]")
	case "video":
		media(m.Video, "[视频]")
	case "file":
		media(m.File, "[文件]")
	case "location":
		in.Text = "[位置]"
		if l := m.Location; l != nil {
			in.Text = strings.TrimSpace(fmt.Sprintf("[位置] %s %s (%.6f, %.6f)", l.Name, l.Address, l.Latitude, l.Longitude))
		}
	case "link":
		in.Text = "[链接]"
		if l := m.Link; l != nil {
			in.Text = strings.TrimSpace("[链接] " + l.Title + " " + l.URL)
		}
	case "business_card":
		in.Text = "[名片]"
		if c := m.BusinessCard; c != nil {
			in.Text = "[名片] " + c.UserID
		}
	case "miniprogram":
		in.Text = "[小程序]"
		if p := m.MiniProgram; p != nil {
			in.Text = strings.TrimSpace("[小程序] " + p.Title)
		}
	default:
		// A kind this version does not read (channels products, menus...): the agent
		// sees that something came and opens WeCom for it.
		in.Type = "other"
		in.Text = "[" + m.MsgType + "]"
	}
	return in
}

// nameBuyers fills in the buyers' WeChat nicknames (kf/customer/batchget). sync_msg
// carries none; a failure leaves names empty and loses nothing.
func (a *Adapter) nameBuyers(ctx context.Context, cfg Config, events []adapters.Event) {
	seen := map[string]bool{}
	var ids []string
	for _, ev := range events {
		_, user, _ := strings.Cut(ev.Message.Customer.ID, "|")
		if !seen[user] {
			seen[user] = true
			ids = append(ids, user)
		}
	}
	names := map[string]string{}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		var out struct {
			CustomerList []struct {
				ExternalUserID string `json:"external_userid"`
				Nickname       string `json:"nickname"`
			} `json:"customer_list"`
		}
		err := a.call(ctx, cfg, "/cgi-bin/kf/customer/batchget", "customer/batchget",
			map[string]any{"external_userid_list": ids[:n], "need_enter_session_context": 0}, &out)
		if err != nil {
			break
		}
		for _, c := range out.CustomerList {
			names[c.ExternalUserID] = c.Nickname
		}
		ids = ids[n:]
	}
	for _, ev := range events {
		_, user, _ := strings.Cut(ev.Message.Customer.ID, "|")
		ev.Message.Customer.Name = names[user]
	}
}

// decodeSync reads a sync_msg answer; it is what Poll parses, exposed to the fuzzer.
func decodeSync(raw []byte) ([]adapters.Event, error) {
	var page syncResponse
	if err := decodeAnswer("sync_msg", raw, &page); err != nil {
		return nil, err
	}
	return pageEvents(&page), nil
}

// pageEvents are the buyers' messages of a page, in WeCom's order.
func pageEvents(page *syncResponse) []adapters.Event {
	events := make([]adapters.Event, 0, len(page.MsgList))
	for i := range page.MsgList {
		if m := inbound(&page.MsgList[i]); m != nil {
			events = append(events, adapters.Event{Message: m})
		}
	}
	return events
}
