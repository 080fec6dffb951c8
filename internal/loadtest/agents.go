package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/chatbridge/chatbridge/internal/chatcorpus"
	"github.com/chatbridge/chatbridge/models"
)

// replyWorkers is how many replies one agent may have in flight: enough that an agent's
// own queue never holds a reply back while the server answers normally.
const replyWorkers = 4

// agent is one logged-in agent: a WebSocket reading the shop's live events, and reply
// workers answering the buyer messages the desk hands it.
type agent struct {
	setup   agentSetup
	replies chan string // conversation ids to answer
	ready   chan struct{}
	once    sync.Once
}

// desk plays the agents of the load shop. Every agent's socket receives every event of
// the shop; the first sighting of a buyer message measures webhook → WebSocket. The
// message is answered by the agent its conversation is assigned to (as the
// conversation.updated events tell), or, when no agent of the run holds it within
// OwnerWait, by the next agent in turn (who then owns it by first reply).
type desk struct {
	run        string
	start      time.Time
	api        *api
	wsBase     string
	replyShare float64
	ownerWait  time.Duration
	messages   *tracker // buyer messages, seen on a socket
	replies    *tracker // replies, seen by the callback receiver

	agents []*agent
	byID   map[string]*agent

	mu      sync.Mutex
	owner   map[string]*agent // conversation → the agent of this run it is assigned to
	waiting map[string]int    // conversation → buyer messages waiting for an owner
	turn    int
	rng     *rand.Rand

	replySeq   atomic.Int64
	replyAck   *Latency
	replyCode  *Counter
	reconnects atomic.Int64
	dropped    atomic.Int64 // replies not queued: the agent's queue was full
	unfinished atomic.Int64 // replies queued and not yet answered by the server
	frames     atomic.Int64
}

func newDesk(o *Options, run string, start time.Time, a *api, s *shopSetup, messages, replies *tracker) *desk {
	d := &desk{
		run: run, start: start, api: a, wsBase: "ws" + strings.TrimPrefix(a.base, "http") + "/api/v1/ws",
		replyShare: o.ReplyShare, ownerWait: o.OwnerWait, messages: messages, replies: replies,
		byID: map[string]*agent{}, owner: map[string]*agent{}, waiting: map[string]int{},
		rng:      rand.New(rand.NewPCG(o.Seed, 0xde5c)),
		replyAck: NewLatency(start, o.Interval), replyCode: &Counter{},
	}
	for _, as := range s.Agents {
		ag := &agent{setup: as, replies: make(chan string, 100_000), ready: make(chan struct{})}
		d.agents = append(d.agents, ag)
		d.byID[as.UserID] = ag
	}
	return d
}

// connect starts every agent's socket and reply workers; it returns once each socket
// has had its first (ready) frame, or when ctx ends.
func (d *desk) connect(ctx context.Context, wg *sync.WaitGroup) error {
	for _, ag := range d.agents {
		wg.Add(1 + replyWorkers)
		go func() { defer wg.Done(); d.listen(ctx, ag) }()
		for range replyWorkers {
			go func() { defer wg.Done(); d.answer(ctx, ag) }()
		}
	}
	for _, ag := range d.agents {
		select {
		case <-ag.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// listen keeps the agent's socket open, reconnecting with ?since= (its last cursor) when
// the server drops it, as the web app does.
func (d *desk) listen(ctx context.Context, ag *agent) {
	since := ""
	for ctx.Err() == nil {
		q := url.Values{"token": {ag.setup.Token}}
		if since != "" {
			q.Set("since", since)
		}
		conn, _, err := websocket.Dial(ctx, d.wsBase+"?"+q.Encode(), nil)
		if err != nil {
			d.reconnects.Add(1)
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		conn.SetReadLimit(8 << 20)
		for {
			_, frame, err := conn.Read(ctx)
			if err != nil {
				break
			}
			d.frames.Add(1)
			if c := cursorOf(frame); c != "" {
				since = c
			}
			d.handle(ag, frame, time.Now())
		}
		conn.CloseNow()
		if ctx.Err() == nil {
			d.reconnects.Add(1)
		}
	}
}

var (
	prefixReady        = []byte(`{"type":"ready"`)
	prefixMessage      = []byte(`{"type":"message.created"`)
	prefixConversation = []byte(`{"type":"conversation.updated"`)
)

// handle reads one frame. Only what matters is decoded: a buyer message's tag is found
// in the raw frame, and a conversation update is decoded only by the agent it names.
func (d *desk) handle(ag *agent, frame []byte, at time.Time) {
	switch {
	case bytes.HasPrefix(frame, prefixReady):
		ag.once.Do(func() { close(ag.ready) })
	case bytes.HasPrefix(frame, prefixMessage):
		t, ok := parseTag(frame, d.run)
		if !ok || t.Kind != kindMessage || !d.messages.see(t.Seq, t.Due, at) {
			return
		}
		var ev struct {
			Data struct {
				ConversationID string `json:"conversation_id"`
			} `json:"data"`
		}
		if json.Unmarshal(frame, &ev) == nil && ev.Data.ConversationID != "" {
			d.route(ev.Data.ConversationID)
		}
	case bytes.HasPrefix(frame, prefixConversation):
		if !bytes.Contains(frame, []byte(`"assignee_id":"`+ag.setup.UserID+`"`)) {
			return
		}
		var ev struct {
			Data struct {
				ID         string  `json:"id"`
				AssigneeID *string `json:"assignee_id"`
			} `json:"data"`
		}
		if json.Unmarshal(frame, &ev) == nil && ev.Data.AssigneeID != nil && *ev.Data.AssigneeID == ag.setup.UserID {
			d.own(ev.Data.ID, ag)
		}
	}
}

// route decides whether and by whom a buyer message of conversation conv is answered.
func (d *desk) route(conv string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rng.Float64() >= d.replyShare {
		return
	}
	if ag := d.owner[conv]; ag != nil {
		d.queue(ag, conv)
		return
	}
	d.waiting[conv]++
	if d.waiting[conv] == 1 {
		time.AfterFunc(d.ownerWait, func() { d.takeOver(conv) })
	}
}

// own records that conv is assigned to ag and hands it what waited.
func (d *desk) own(conv string, ag *agent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.owner[conv] = ag
	for range d.waiting[conv] {
		d.queue(ag, conv)
	}
	delete(d.waiting, conv)
}

// takeOver gives messages nobody of the run owns to the next agent in turn.
func (d *desk) takeOver(conv string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.waiting[conv] == 0 {
		return
	}
	ag := d.agents[d.turn%len(d.agents)]
	d.turn++
	for range d.waiting[conv] {
		d.queue(ag, conv)
	}
	delete(d.waiting, conv)
}

// queue hands a reply to an agent; d.mu is held.
func (d *desk) queue(ag *agent, conv string) {
	d.unfinished.Add(1)
	select {
	case ag.replies <- conv:
	default:
		d.unfinished.Add(-1)
		d.dropped.Add(1)
	}
}

// waitingCount is the number of messages still waiting for an owner.
func (d *desk) waitingCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, w := range d.waiting {
		n += w
	}
	return n
}

// idle reports whether no message waits for an owner and no reply is queued or in flight.
func (d *desk) idle() bool { return d.waitingCount() == 0 && d.unfinished.Load() == 0 }

// answer is one reply worker of an agent: it posts the replies handed to the agent.
func (d *desk) answer(ctx context.Context, ag *agent) {
	for {
		select {
		case <-ctx.Done():
			return
		case conv := <-ag.replies:
			d.reply(ctx, ag, conv)
			d.unfinished.Add(-1)
		}
	}
}

func (d *desk) reply(ctx context.Context, ag *agent, conv string) {
	d.mu.Lock()
	text := chatcorpus.AgentText(d.rng, models.Stages[d.rng.IntN(len(models.Stages))])
	d.mu.Unlock()
	seq := d.replySeq.Add(1)
	started := time.Now()
	text = appendTag(text, tag{Run: d.run, Kind: kindReply, Seq: seq, Due: started.Sub(d.start)})
	d.replies.expect(seq)
	err := d.api.do(ctx, ag.setup.Token, http.MethodPost, "/api/v1/conversations/"+conv+"/messages",
		map[string]string{"type": "text", "text": text}, http.StatusAccepted, nil)
	var apiErr *apiError
	switch {
	case err == nil:
		d.replyCode.AddStatus(http.StatusAccepted)
		d.replyAck.Record(started, time.Since(started))
	case errors.As(err, &apiErr):
		d.replyCode.AddStatus(apiErr.Status)
	default:
		d.replyCode.Add(transportError(ctx, err))
	}
	d.replies.settle(seq, err == nil)
}

// cursorOf finds an event's cursor in its raw frame.
func cursorOf(frame []byte) string {
	key := []byte(`"cursor":"`)
	i := bytes.LastIndex(frame, key)
	if i < 0 {
		return ""
	}
	rest := frame[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
