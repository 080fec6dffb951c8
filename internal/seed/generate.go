package seed

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/chatbridge/chatbridge/internal/chatcorpus"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/models"
)

// staff is an agent conversations are assigned to and who writes the replies.
type staff struct {
	ID      uint64
	Name    string // as replies show it: display name and agent number
	AgentNo string
	Skills  map[models.Stage]bool
}

// conv is one generated conversation with everything that hangs off it. Ids are set
// when the conversation is numbered, in order, so the same seed gives the same rows.
type conv struct {
	ID, CustomerID, ChannelID uint64
	BuyerExt, BuyerName       string
	Stage                     models.Stage
	Status                    models.ConversationStatus
	Assignee                  *staff
	Unread                    int
	CustomerSince             time.Time
	Messages                  []msg
	Orders                    []order
	Events                    []event
}

type msg struct {
	ID         uint64
	In         bool
	Text       string
	At         time.Time
	ExternalID string // inbound only
}

type order struct {
	ID                  uint64
	ExternalID          string
	Status              models.OrderStatus
	Items               []models.OrderItem
	TotalFen            int
	Address             models.Address
	Carrier, Tracking   string
	Note, Flag, NoteCat string
	Created, Updated    time.Time
}

type event struct {
	ID    uint64
	Kind  string
	Actor *uint64
	Data  string
	At    time.Time
}

// first and last are the conversation's first and newest message.
func (c *conv) first() *msg { return &c.Messages[0] }
func (c *conv) last() *msg  { return &c.Messages[len(c.Messages)-1] }

// world is what every conversation is generated against.
type world struct {
	seed          uint64
	shopID        uint64
	shopName      string
	buyers        int
	channels      []uint64
	agents        []*staff
	byStage       map[models.Stage][]*staff
	from, until   time.Time
	orderShare    float64
	conversations int
}

// The latest order's status decides the stage (inbox.StageOf): these weights give about
// half the chats pre-sale, a fifth in-sale and a third after-sale with 60% of buyers
// ordering, as in a shop's ordinary week.
var latestStatus = []struct {
	s models.OrderStatus
	w float64
}{
	{models.OrderUnpaid, 10}, {models.OrderClosed, 5}, {models.OrderPaid, 12}, {models.OrderShipped, 18},
	{models.OrderDelivered, 40}, {models.OrderRefunding, 8}, {models.OrderRefunded, 7},
}

var olderStatus = []struct {
	s models.OrderStatus
	w float64
}{{models.OrderDelivered, 70}, {models.OrderClosed, 15}, {models.OrderRefunded, 15}}

func weighted[T any](r *rand.Rand, list []struct {
	s T
	w float64
}) T {
	total := 0.0
	for _, e := range list {
		total += e.w
	}
	x := r.Float64() * total
	for _, e := range list {
		if x < e.w {
			return e.s
		}
		x -= e.w
	}
	return list[len(list)-1].s
}

// buyerName is a buyer's name, the same on every channel they use.
func (w *world) buyerName(b int) string {
	return chatcorpus.BuyerName(rand.New(rand.NewPCG(w.seed^0xb1, uint64(b))))
}

// generate makes conversation i with n messages. Buyer i mod buyers writes on a
// channel of their own for each of their conversations (one conversation per buyer and
// channel); conversations start in index order across the history.
func (w *world) generate(i, n int) *conv {
	r := rand.New(rand.NewPCG(w.seed, uint64(i)))
	b := i % w.buyers
	slot := i / w.buyers
	c := &conv{
		ChannelID: w.channels[(b+slot)%len(w.channels)],
		BuyerExt:  fmt.Sprintf("s%d-b%07d", w.seed, b), BuyerName: w.buyerName(b),
	}
	span := w.until.Sub(w.from)
	start := w.from.Add(time.Duration((float64(i) + r.Float64()) / float64(w.conversations) * float64(span)))
	times := messageTimes(r, start, w.until, n)

	if r.Float64() < w.orderShare {
		c.Orders = w.orders(r, i, start)
	}
	var latest *models.Order
	if len(c.Orders) > 0 {
		latest = &models.Order{Status: c.Orders[len(c.Orders)-1].Status}
	}
	c.Stage = inbox.StageOf(latest)

	age := w.until.Sub(times[n-1])
	switch x := r.Float64(); {
	case age > 72*time.Hour && x < 0.95, age <= 72*time.Hour && x < 0.30:
		c.Status = models.StatusResolved
	case age <= 72*time.Hour && x < 0.45 || age > 72*time.Hour && x < 0.97:
		c.Status = models.StatusPending
	default:
		c.Status = models.StatusOpen
	}
	if skilled := w.byStage[c.Stage]; len(skilled) > 0 && !(c.Status == models.StatusOpen && r.Float64() < 0.1) {
		c.Assignee = skilled[r.IntN(len(skilled))]
	}
	w.messages(r, c, times)
	c.CustomerSince = times[0]
	if len(c.Orders) > 0 && c.Orders[0].Created.Before(c.CustomerSince) {
		c.CustomerSince = c.Orders[0].Created
	}
	w.events(r, c)
	return c
}

// messageTimes spreads n messages from start: seconds to minutes apart, sometimes a new
// visit hours or days later, squeezed to end before until.
func messageTimes(r *rand.Rand, start, until time.Time, n int) []time.Time {
	gaps := make([]float64, n)
	total := 0.0
	for j := 1; j < n; j++ {
		g := 5 + r.ExpFloat64()*60 // seconds
		if r.Float64() < 0.08 {
			g = 3600 + r.Float64()*3*86400
		}
		gaps[j] = g
		total += g
	}
	room := until.Sub(start).Seconds() - 1
	scale := 1.0
	if total > room && total > 0 {
		scale = math.Max(room, 0) / total
	}
	times := make([]time.Time, n)
	at := start
	for j := range n {
		at = at.Add(time.Duration(gaps[j] * scale * float64(time.Second)))
		if j > 0 && !at.After(times[j-1]) {
			at = times[j-1].Add(time.Microsecond)
		}
		times[j] = at.Truncate(time.Microsecond)
	}
	return times
}

// orders makes one to three orders of the buyer on this channel, oldest first, the
// latest updated shortly before the chat began.
func (w *world) orders(r *rand.Rand, i int, chatStart time.Time) []order {
	k := 1
	if x := r.Float64(); x > 0.9 {
		k = 3
	} else if x > 0.7 {
		k = 2
	}
	out := make([]order, k)
	updated := chatStart.Add(-time.Duration(r.Float64() * float64(48*time.Hour)))
	for j := k - 1; j >= 0; j-- {
		o := &out[j]
		o.ExternalID = fmt.Sprintf("T%d%010d", w.seed, i*4+j)
		if j == k-1 {
			o.Status = weighted(r, latestStatus)
		} else {
			o.Status = weighted(r, olderStatus)
			updated = updated.Add(-time.Duration((3 + r.Float64()*57) * float64(24*time.Hour)))
		}
		o.Updated = updated.Truncate(time.Microsecond)
		o.Created = o.Updated.Add(-time.Duration(r.Float64() * float64(10*24*time.Hour))).Truncate(time.Microsecond)
		o.Items, o.TotalFen = chatcorpus.Items(r)
		o.Address = chatcorpus.Address(r)
		switch o.Status {
		case models.OrderShipped, models.OrderDelivered, models.OrderRefunded:
			o.Carrier, o.Tracking = chatcorpus.Tracking(r)
		case models.OrderRefunding:
			if r.IntN(2) == 0 {
				o.Carrier, o.Tracking = chatcorpus.Tracking(r)
			}
		}
		o.Flag = "none"
		if r.Float64() < 0.05 {
			o.Flag, o.NoteCat = "red", pick(r, models.NoteCategories)
			o.Note = noteFor(o.NoteCat, o.Address)
		}
	}
	return out
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// noteFor is a red-flag note as agents write them (DOMAIN rules 1 and 2).
func noteFor(category string, a models.Address) string {
	switch category {
	case "address_change":
		return "改地址:" + a.Region + " " + a.Detail + ",已与买家确认"
	case "item_change":
		return "改属性:换M码,已与买家确认"
	case "courier":
		return "指定顺丰,已补运费"
	case "invoice":
		return "开票:抬头为公司名,随货寄出"
	case "greeting_card":
		return "贺卡内容:生日快乐"
	case "delivery_time":
		return "下午三点后派送"
	}
	return "买家备注已确认"
}

// messages writes the thread: the buyer opens, the assigned agent greets and answers;
// an open chat usually ends with the buyer waiting; nobody has answered an unassigned one.
func (w *world) messages(r *rand.Rand, c *conv, times []time.Time) {
	n := len(times)
	c.Messages = make([]msg, n)
	greeted := false
	for j := range n {
		in := j == 0 || c.Assignee == nil || r.Float64() < 0.5
		if j == n-1 && c.Status != models.StatusResolved && c.Assignee != nil {
			in = r.Float64() < 0.7
		}
		m := &c.Messages[j]
		m.In, m.At = in, times[j]
		switch {
		case in:
			m.Text = chatcorpus.BuyerText(r, c.Stage)
		case !greeted:
			m.Text, greeted = chatcorpus.Greeting(r, w.shopName, c.Assignee.AgentNo), true
		default:
			m.Text = chatcorpus.AgentText(r, c.Stage)
		}
	}
	if c.Status != models.StatusResolved {
		for j := n - 1; j >= 0 && c.Messages[j].In; j-- {
			c.Unread++
		}
	}
}

// events records what the inbox would have: created and routed on the first message,
// resolved after the last.
func (w *world) events(r *rand.Rand, c *conv) {
	at := c.first().At
	stage, _ := json.Marshal(map[string]string{"stage": string(c.Stage)})
	c.Events = append(c.Events, event{Kind: models.EventCreated, Data: string(stage), At: at})
	if c.Assignee != nil {
		data, _ := json.Marshal(map[string]any{"from": nil, "to": fmt.Sprint(c.Assignee.ID), "by": "routing"})
		c.Events = append(c.Events, event{Kind: models.EventAssigned, Data: string(data), At: at})
	}
	if c.Status == models.StatusResolved {
		end := c.last().At.Add(time.Duration(1+r.IntN(30)) * time.Minute)
		if end.After(w.until) {
			end = c.last().At
		}
		var actor *uint64
		if c.Assignee != nil {
			actor = &c.Assignee.ID
		}
		c.Events = append(c.Events, event{Kind: models.EventResolved, Actor: actor, Data: "{}", At: end})
	}
}

// allocate splits total messages over n conversations, each at least one: most chats
// are a few lines, some run long (a log-normal spread), and the sum is exact.
func allocate(seed uint64, n, total int) []int32 {
	r := rand.New(rand.NewPCG(seed, 0xa110c))
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(r.NormFloat64() * 0.9)
		sum += weights[i]
	}
	counts := make([]int32, n)
	extra := total - n
	given := 0
	for i, wt := range weights {
		c := int(float64(extra) * wt / sum)
		counts[i] = int32(1 + c)
		given += c
	}
	for i := 0; given < extra; i = (i + 7919) % n {
		counts[i]++
		given++
	}
	return counts
}
