package seed

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/internal/chatcorpus"
	"github.com/chatbridge/chatbridge/models"
)

// table writes one table's rows for a batch of conversations. Tables are written in the
// order of the list, parents before children, inside one transaction per batch. A new
// area's table (refund cases, tickets...) is one more entry: generate its data in
// world.generate onto conv, number it in numberer.number, and add its rows here.
type table struct {
	name    string
	columns string
	write   func(shopID uint64, c *conv, r *rows)
}

// maxRowsPerStatement keeps a statement well under max_allowed_packet (16 MiB by default).
const maxRowsPerStatement = 1000

var tables = []table{
	{"customers", "id, shop_id, channel_id, external_id, name, created_at, updated_at", writeCustomer},
	{"conversations", "id, shop_id, channel_id, customer_id, stage, status, assignee_id, last_message_at, " +
		"last_message_preview, unread_count, created_at, updated_at", writeConversation},
	{"orders", "id, shop_id, channel_id, customer_id, external_id, status, total, currency, items, address, " +
		"tracking_carrier, tracking_number, note, flag, note_category, note_sync, platform_updated_at, created_at, updated_at", writeOrders},
	{"messages", "id, shop_id, channel_id, conversation_id, direction, type, text, status, external_id, remote_id, " +
		"sender_id, sender_name, sent_at, created_at, updated_at", writeMessages},
	{"conversation_events", "id, shop_id, conversation_id, kind, actor_id, data, created_at", writeEvents},
}

func writeCustomer(shopID uint64, c *conv, r *rows) {
	r.begin()
	r.u64(c.CustomerID)
	r.u64(shopID)
	r.u64(c.ChannelID)
	r.str(c.BuyerExt)
	r.str(c.BuyerName)
	r.time(c.CustomerSince)
	r.time(c.last().At)
	r.end()
}

func writeConversation(shopID uint64, c *conv, r *rows) {
	last := c.last()
	r.begin()
	r.u64(c.ID)
	r.u64(shopID)
	r.u64(c.ChannelID)
	r.u64(c.CustomerID)
	r.str(string(c.Stage))
	r.str(string(c.Status))
	if c.Assignee != nil {
		r.u64(c.Assignee.ID)
	} else {
		r.null()
	}
	r.time(last.At)
	r.str(preview(last.Text))
	r.int(c.Unread)
	r.time(c.first().At)
	r.time(c.updatedAt())
	r.end()
}

// updatedAt is the conversation's last change: its newest message or its resolution.
func (c *conv) updatedAt() time.Time {
	t := c.last().At
	for _, e := range c.Events {
		if e.At.After(t) {
			t = e.At
		}
	}
	return t
}

func writeOrders(shopID uint64, c *conv, r *rows) {
	for i := range c.Orders {
		o := &c.Orders[i]
		items, _ := json.Marshal(o.Items)
		addr, _ := json.Marshal(o.Address)
		sync := models.NoteSyncNone
		if o.Note != "" {
			sync = models.NoteSyncSynced
		}
		r.begin()
		r.u64(o.ID)
		r.u64(shopID)
		r.u64(c.ChannelID)
		r.u64(c.CustomerID)
		r.str(o.ExternalID)
		r.str(string(o.Status))
		r.str(chatcorpus.Money(o.TotalFen))
		r.str("CNY")
		r.str(string(items))
		r.str(string(addr))
		r.str(o.Carrier)
		r.str(o.Tracking)
		r.str(o.Note)
		r.str(o.Flag)
		r.str(o.NoteCat)
		r.str(string(sync))
		r.time(o.Updated)
		r.time(o.Created)
		r.time(o.Updated)
		r.end()
	}
}

func writeMessages(shopID uint64, c *conv, r *rows) {
	for i := range c.Messages {
		m := &c.Messages[i]
		r.begin()
		r.u64(m.ID)
		r.u64(shopID)
		r.u64(c.ChannelID)
		r.u64(c.ID)
		if m.In {
			r.str(string(models.DirectionIn))
		} else {
			r.str(string(models.DirectionOut))
		}
		r.str("text")
		r.str(m.Text)
		if m.In {
			r.str(string(models.MessageReceived))
			r.str(m.ExternalID)
			r.str("")
			r.null()
			r.str(c.BuyerName)
		} else {
			r.str(string(models.MessageSent))
			r.null()
			r.str(strconv.FormatUint(m.ID, 10)) // the generic channel answers with our id
			r.u64(c.Assignee.ID)
			r.str(c.Assignee.Name)
		}
		r.time(m.At)
		r.time(m.At)
		r.time(m.At)
		r.end()
	}
}

func writeEvents(shopID uint64, c *conv, r *rows) {
	for i := range c.Events {
		e := &c.Events[i]
		r.begin()
		r.u64(e.ID)
		r.u64(shopID)
		r.u64(c.ID)
		r.str(e.Kind)
		r.optU64(e.Actor)
		r.str(e.Data)
		r.time(e.At)
		r.end()
	}
}

// preview is the conversation list's line: the text cut to 255 bytes on a character
// boundary, as the inbox stores it.
func preview(s string) string {
	if len(s) <= 255 {
		return s
	}
	n := 255
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
