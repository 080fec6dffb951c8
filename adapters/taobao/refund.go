package taobao

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatbridge/chatbridge/adapters"
)

const refundFields = "refund_id,tid,oid,status,refund_fee,reason,has_good_return,modified,cs_status,refund_remind_timeout"

// Refund is a TOP refund as taobao.refund.get answers it (the fields asked).
type Refund struct {
	RefundID      json.Number `json:"refund_id"`
	Tid           json.Number `json:"tid"`
	Status        string      `json:"status"`
	RefundFee     string      `json:"refund_fee"`
	Reason        string      `json:"reason"`
	HasGoodReturn bool        `json:"has_good_return"`
	Modified      string      `json:"modified"`
	CSStatus      int         `json:"cs_status"`
	RemindTimeout *struct {
		ExistTimeout bool   `json:"exist_timeout"`
		Timeout      string `json:"timeout"`
	} `json:"refund_remind_timeout"`
}

// refundStatus maps TOP's refund status to ChatBridge's case status:
//
//	WAIT_SELLER_AGREE                                   → requested (the seller must answer)
//	WAIT_BUYER_RETURN_GOODS, WAIT_SELLER_CONFIRM_GOODS  → agreed (a return under way)
//	SELLER_REFUSE_BUYER                                 → rejected
//	CLOSED, SUCCESS                                     → closed (the order's status says whether it was refunded)
var refundStatus = map[string]string{
	"WAIT_SELLER_AGREE":         "requested",
	"WAIT_BUYER_RETURN_GOODS":   "agreed",
	"WAIT_SELLER_CONFIRM_GOODS": "agreed",
	"SELLER_REFUSE_BUYER":       "rejected",
	"CLOSED":                    "closed",
	"SUCCESS":                   "closed",
}

// Case is the refund as ChatBridge's refund case. Customer service intervention
// (cs_status 2–6: 需要/已经客服介入) makes it a dispute; a return of goods a
// return_refund. The deadline is TOP's own timeout when it gives one.
func (r *Refund) Case() (*adapters.Refund, error) {
	st, ok := refundStatus[r.Status]
	if !ok {
		return nil, fmt.Errorf("taobao: refund %s has the unknown status %q", r.RefundID, r.Status)
	}
	c := &adapters.Refund{ExternalID: r.RefundID.String(), Type: "refund_only", Status: st, Amount: r.RefundFee, Reason: r.Reason}
	switch {
	case r.CSStatus >= 2 && r.CSStatus <= 6:
		c.Type = "dispute"
	case r.HasGoodReturn:
		c.Type = "return_refund"
	}
	if r.RemindTimeout != nil && r.RemindTimeout.ExistTimeout && r.RemindTimeout.Timeout != "" {
		at, err := ParseTime("refund.refund_remind_timeout.timeout", r.RemindTimeout.Timeout)
		if err != nil {
			return nil, err
		}
		c.DeadlineAt = at
	}
	return c, nil
}

// ParseRefund reads a taobao.refund.get answer object.
func ParseRefund(raw json.RawMessage) (*Refund, error) {
	var resp struct {
		Refund *Refund `json:"refund"`
	}
	if err := decode("taobao.refund.get", raw, &resp); err != nil {
		return nil, err
	}
	if resp.Refund == nil || resp.Refund.RefundID == "" {
		return nil, fmt.Errorf("taobao: taobao.refund.get answered no refund")
	}
	return resp.Refund, nil
}

func (a *Adapter) refund(ctx context.Context, cfg Config, refundID string) (*Refund, error) {
	raw, err := a.call(ctx, cfg, "taobao.refund.get", map[string]string{"fields": refundFields, "refund_id": refundID})
	if err != nil {
		return nil, err
	}
	return ParseRefund(raw)
}

// refundEvent is the trade's order event carrying the refund case. Its time is the
// later of the trade's and the refund's modification, so a refund change that left the
// trade's time alone still counts as newer.
func refundEvent(t *Trade, r *Refund) (*adapters.OrderEvent, error) {
	ev, err := t.Event()
	if err != nil {
		return nil, err
	}
	c, err := r.Case()
	if err != nil {
		return nil, err
	}
	modified, err := ParseTime("refund.modified", r.Modified)
	if err != nil {
		return nil, err
	}
	if modified.After(ev.UpdatedAt) {
		ev.UpdatedAt = modified
	}
	ev.Refund = c
	return ev, nil
}
