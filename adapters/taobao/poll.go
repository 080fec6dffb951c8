package taobao

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// ConsumeQuantity is the number of messages asked per pull (TMC allows 10 to 200).
const ConsumeQuantity = 100

// PollEvery is how often the core pulls each Taobao channel.
func (a *Adapter) PollEvery() time.Duration { return time.Minute }

// TMC topics read here (PROTOCOLS §5.3). Other topics are confirmed and skipped.
var tradeTopics = map[string]bool{
	"taobao_trade_TradeCreate": true, "taobao_trade_TradeBuyerPay": true, "taobao_trade_TradeSellerShip": true,
	"taobao_trade_TradePartlySellerShip": true, "taobao_trade_TradeSuccess": true, "taobao_trade_TradeClose": true,
	"taobao_trade_TradeChanged": true, "taobao_trade_TradeMemoModified": true, "taobao_trade_TradeLogisticsAddressChanged": true,
}

var refundTopics = map[string]bool{
	"taobao_refund_RefundCreated": true, "taobao_refund_RefundSellerAgreeAgreement": true,
	"taobao_refund_RefundSellerRefuseAgreement": true, "taobao_refund_RefundBuyerModifyAgreement": true,
	"taobao_refund_RefundBuyerReturnGoods": true, "taobao_refund_RefundSuccess": true, "taobao_refund_RefundClosed": true,
}

// Message is one TMC message (taobao.tmc.messages.consume).
type Message struct {
	ID      json.Number `json:"id"`
	Topic   string      `json:"topic"`
	Content string      `json:"content"`
	PubTime string      `json:"pub_time"`
}

// messageContent is what a trade or refund message's content names.
type messageContent struct {
	Tid      json.Number `json:"tid"`
	RefundID json.Number `json:"refund_id"`
}

// ParseMessages reads a taobao.tmc.messages.consume answer object.
func ParseMessages(raw json.RawMessage) ([]Message, error) {
	var resp struct {
		Messages *struct {
			TmcMessage []Message `json:"tmc_message"`
		} `json:"messages"`
	}
	if err := decode("taobao.tmc.messages.consume", raw, &resp); err != nil {
		return nil, err
	}
	if resp.Messages == nil {
		return nil, nil // TOP leaves the list out when the queue is empty
	}
	for i, m := range resp.Messages.TmcMessage {
		if m.ID == "" || m.Topic == "" {
			return nil, fmt.Errorf("taobao: TMC message %d has no id or topic", i)
		}
	}
	return resp.Messages.TmcMessage, nil
}

// The cursor of a Taobao channel lists the ids of the last page's messages, which the
// next pull confirms once the core has committed their events (and stored this
// cursor): a crash before that leaves them unconfirmed, and TMC delivers them again.
const cursorPrefix = "confirm:"

func confirmIDs(cursor string) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(cursor, cursorPrefix)
	if !ok {
		return nil, fmt.Errorf("taobao: cursor %q is not one this adapter wrote", cursor)
	}
	if rest == "" {
		return nil, nil
	}
	ids := strings.Split(rest, ",")
	for _, id := range ids {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return nil, fmt.Errorf("taobao: cursor %q is not one this adapter wrote", cursor)
		}
	}
	return ids, nil
}

// Poll confirms the previous page's messages, consumes the next ones, and reads the
// trade (and refund) each names, keyed by TMC's at-least-once rule: one event per
// trade per page, identified by (tid, modified), so a message delivered again gives the
// same event, stored once.
func (a *Adapter) Poll(ctx context.Context, ch adapters.Channel, cursor, _ string) (adapters.PollResult, error) {
	cfg, err := config(ch)
	if err != nil {
		return adapters.PollResult{}, err
	}
	confirm, err := confirmIDs(cursor)
	if err != nil {
		return adapters.PollResult{}, &adapters.PermanentError{Err: err}
	}
	if len(confirm) > 0 {
		if err := a.confirm(ctx, cfg, confirm); err != nil {
			return adapters.PollResult{}, err
		}
	}
	params := map[string]string{"quantity": strconv.Itoa(ConsumeQuantity)}
	if cfg.TMCGroup != "" {
		params["group_name"] = cfg.TMCGroup
	}
	raw, err := a.call(ctx, cfg, "taobao.tmc.messages.consume", params)
	if err != nil {
		return adapters.PollResult{}, err
	}
	msgs, err := ParseMessages(raw)
	if err != nil {
		return adapters.PollResult{}, err
	}
	events, err := a.read(ctx, cfg, msgs)
	if err != nil {
		return adapters.PollResult{}, err
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID.String()
	}
	// More while messages came: the next call confirms them at once (after the core
	// committed this page) rather than at the next timed pull, and reads on.
	return adapters.PollResult{Events: events, Cursor: cursorPrefix + strings.Join(ids, ","), More: len(msgs) > 0}, nil
}

// read turns a page of messages into order events: one per trade, the refund's when a
// refund message names it.
func (a *Adapter) read(ctx context.Context, cfg Config, msgs []Message) ([]adapters.Event, error) {
	var events []adapters.Event
	at := map[string]int{} // tid → its event's index
	trades := map[string]*Trade{}
	withRefund := map[string]bool{}
	trade := func(tid string) (*Trade, error) {
		if t, ok := trades[tid]; ok {
			return t, nil
		}
		t, err := a.trade(ctx, cfg, tid)
		trades[tid] = t
		return t, err
	}
	for _, m := range msgs {
		if !tradeTopics[m.Topic] && !refundTopics[m.Topic] {
			continue
		}
		var c messageContent
		if err := json.Unmarshal([]byte(m.Content), &c); err != nil || c.Tid == "" {
			return nil, fmt.Errorf("taobao: TMC message %s (%s) names no tid: %.200s", m.ID, m.Topic, m.Content)
		}
		tid := c.Tid.String()
		if tradeTopics[m.Topic] {
			if _, done := at[tid]; done {
				continue
			}
			t, err := trade(tid)
			if err != nil {
				return nil, err
			}
			ev, err := t.Event()
			if err != nil {
				return nil, err
			}
			at[tid] = len(events)
			events = append(events, adapters.Event{Order: ev})
			continue
		}
		if c.RefundID == "" {
			return nil, fmt.Errorf("taobao: TMC message %s (%s) names no refund_id", m.ID, m.Topic)
		}
		if withRefund[tid] {
			continue // one event per trade per page: the first refund message's case
		}
		t, err := trade(tid)
		if err != nil {
			return nil, err
		}
		r, err := a.refund(ctx, cfg, c.RefundID.String())
		if err != nil {
			return nil, err
		}
		ev, err := refundEvent(t, r)
		if err != nil {
			return nil, err
		}
		withRefund[tid] = true
		if i, ok := at[tid]; ok {
			events[i] = adapters.Event{Order: ev} // the same trade, now with its case
			continue
		}
		at[tid] = len(events)
		events = append(events, adapters.Event{Order: ev})
	}
	return events, nil
}

func (a *Adapter) confirm(ctx context.Context, cfg Config, ids []string) error {
	params := map[string]string{"s_message_ids": strings.Join(ids, ",")}
	if cfg.TMCGroup != "" {
		params["group_name"] = cfg.TMCGroup
	}
	raw, err := a.call(ctx, cfg, "taobao.tmc.messages.confirm", params)
	if err != nil {
		return err
	}
	var resp struct {
		IsSuccess *bool `json:"is_success"`
	}
	if err := decode("taobao.tmc.messages.confirm", raw, &resp); err != nil {
		return err
	}
	if resp.IsSuccess == nil || !*resp.IsSuccess {
		return fmt.Errorf("taobao: taobao.tmc.messages.confirm did not confirm %d messages", len(ids))
	}
	return nil
}
