package taobao

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/models"
)

// tradeFields are the trade fields ChatBridge reads ("请按需获取字段": only those).
const tradeFields = "tid,status,payment,modified,buyer_nick,buyer_open_uid," +
	"receiver_name,receiver_mobile,receiver_phone,receiver_state,receiver_city,receiver_district,receiver_town,receiver_address," +
	"orders.oid,orders.title,orders.num,orders.outer_sku_id,orders.outer_iid,orders.refund_status,orders.logistics_company,orders.invoice_no"

// Trade is a TOP trade as taobao.trade.fullinfo.get answers it (the fields asked).
type Trade struct {
	Tid              json.Number `json:"tid"`
	Status           string      `json:"status"`
	Payment          string      `json:"payment"`
	Modified         string      `json:"modified"`
	BuyerNick        string      `json:"buyer_nick"`
	BuyerOpenUID     string      `json:"buyer_open_uid"`
	ReceiverName     string      `json:"receiver_name"`
	ReceiverMobile   string      `json:"receiver_mobile"`
	ReceiverPhone    string      `json:"receiver_phone"`
	ReceiverState    string      `json:"receiver_state"`
	ReceiverCity     string      `json:"receiver_city"`
	ReceiverDistrict string      `json:"receiver_district"`
	ReceiverTown     string      `json:"receiver_town"`
	ReceiverAddress  string      `json:"receiver_address"`
	Orders           struct {
		Order []SubOrder `json:"order"`
	} `json:"orders"`
}

// SubOrder is one line of a trade.
type SubOrder struct {
	Oid              json.Number `json:"oid"`
	Title            string      `json:"title"`
	Num              int         `json:"num"`
	OuterSkuID       string      `json:"outer_sku_id"`
	OuterIid         string      `json:"outer_iid"`
	RefundStatus     string      `json:"refund_status"`
	LogisticsCompany string      `json:"logistics_company"`
	InvoiceNo        string      `json:"invoice_no"`
}

// tradeStatus maps TOP's trade status to ChatBridge's:
//
//	TRADE_NO_CREATE_PAY, WAIT_BUYER_PAY, PAY_PENDING, WAIT_PRE_AUTH_CONFIRM → unpaid
//	WAIT_SELLER_SEND_GOODS, PAID_FORBID_CONSIGN                          → paid
//	SELLER_CONSIGNED_PART, WAIT_BUYER_CONFIRM_GOODS                      → shipped
//	TRADE_BUYER_SIGNED, TRADE_FINISHED                                   → delivered
//	TRADE_CLOSED (after payment: refunded in full)                       → refunded
//	TRADE_CLOSED_BY_TAOBAO (closed before payment)                       → closed
//
// A line with a refund in progress (refund_status WAIT_SELLER_AGREE,
// WAIT_BUYER_RETURN_GOODS, WAIT_SELLER_CONFIRM_GOODS, SELLER_REFUSE_BUYER) makes a paid,
// shipped or delivered trade refunding. A TRADE_CLOSED trade none of whose lines was
// refunded (refund_status SUCCESS) is closed.
var tradeStatus = map[string]models.OrderStatus{
	"TRADE_NO_CREATE_PAY":      models.OrderUnpaid,
	"WAIT_BUYER_PAY":           models.OrderUnpaid,
	"PAY_PENDING":              models.OrderUnpaid,
	"WAIT_PRE_AUTH_CONFIRM":    models.OrderUnpaid,
	"WAIT_SELLER_SEND_GOODS":   models.OrderPaid,
	"PAID_FORBID_CONSIGN":      models.OrderPaid,
	"SELLER_CONSIGNED_PART":    models.OrderShipped,
	"WAIT_BUYER_CONFIRM_GOODS": models.OrderShipped,
	"TRADE_BUYER_SIGNED":       models.OrderDelivered,
	"TRADE_FINISHED":           models.OrderDelivered,
	"TRADE_CLOSED":             models.OrderRefunded,
	"TRADE_CLOSED_BY_TAOBAO":   models.OrderClosed,
}

var refundInProgress = map[string]bool{
	"WAIT_SELLER_AGREE": true, "WAIT_BUYER_RETURN_GOODS": true, "WAIT_SELLER_CONFIRM_GOODS": true, "SELLER_REFUSE_BUYER": true,
}

func (t *Trade) status() (models.OrderStatus, error) {
	st, ok := tradeStatus[t.Status]
	if !ok {
		return "", fmt.Errorf("taobao: trade %s has the unknown status %q", t.Tid, t.Status)
	}
	refunding, refunded := false, false
	for _, o := range t.Orders.Order {
		refunding = refunding || refundInProgress[o.RefundStatus]
		refunded = refunded || o.RefundStatus == "SUCCESS"
	}
	switch {
	case st == models.OrderRefunded && !refunded:
		return models.OrderClosed, nil
	case refunding && (st == models.OrderPaid || st == models.OrderShipped || st == models.OrderDelivered):
		return models.OrderRefunding, nil
	}
	return st, nil
}

// ParseTime reads a TOP time (GMT+8).
func ParseTime(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(TimeLayout, s, CST)
	if err != nil {
		return time.Time{}, fmt.Errorf("taobao: %s %q is not a TOP time", field, s)
	}
	return t.UTC(), nil
}

// Event is the trade as ChatBridge's order event.
func (t *Trade) Event() (*adapters.OrderEvent, error) {
	if t.Tid == "" {
		return nil, fmt.Errorf("taobao: trade without tid")
	}
	st, err := t.status()
	if err != nil {
		return nil, err
	}
	modified, err := ParseTime("trade.modified", t.Modified)
	if err != nil {
		return nil, err
	}
	buyer := t.BuyerOpenUID
	if buyer == "" {
		buyer = t.BuyerNick
	}
	if buyer == "" {
		return nil, fmt.Errorf("taobao: trade %s names no buyer (buyer_open_uid, buyer_nick)", t.Tid)
	}
	ev := &adapters.OrderEvent{
		ExternalID: t.Tid.String(), CustomerID: buyer, Status: st, Total: t.Payment, Currency: "CNY",
		UpdatedAt: modified,
	}
	for _, o := range t.Orders.Order {
		sku := o.OuterSkuID
		if sku == "" {
			sku = o.OuterIid
		}
		ev.Items = append(ev.Items, models.OrderItem{SKU: sku, Title: o.Title, Quantity: o.Num})
		if ev.Tracking == nil && o.InvoiceNo != "" {
			ev.Tracking = &adapters.Tracking{Carrier: o.LogisticsCompany, Number: o.InvoiceNo}
		}
	}
	if t.ReceiverName != "" || t.ReceiverAddress != "" {
		phone := t.ReceiverMobile
		if phone == "" {
			phone = t.ReceiverPhone
		}
		ev.Address = &models.Address{Name: t.ReceiverName, Phone: phone, Detail: t.ReceiverAddress,
			Region: joinNonEmpty(t.ReceiverState, t.ReceiverCity, t.ReceiverDistrict, t.ReceiverTown)}
	}
	return ev, nil
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// ParseTrade reads a taobao.trade.fullinfo.get answer object.
func ParseTrade(raw json.RawMessage) (*Trade, error) {
	var resp struct {
		Trade *Trade `json:"trade"`
	}
	if err := decode("taobao.trade.fullinfo.get", raw, &resp); err != nil {
		return nil, err
	}
	if resp.Trade == nil {
		return nil, fmt.Errorf("taobao: taobao.trade.fullinfo.get answered no trade")
	}
	return resp.Trade, nil
}

func (a *Adapter) trade(ctx context.Context, cfg Config, tid string) (*Trade, error) {
	raw, err := a.call(ctx, cfg, "taobao.trade.fullinfo.get", map[string]string{"fields": tradeFields, "tid": tid})
	if err != nil {
		return nil, err
	}
	return ParseTrade(raw)
}

// FetchOrder reads one trade (without its refund cases).
func (a *Adapter) FetchOrder(ctx context.Context, ch adapters.Channel, orderID string) (*adapters.OrderEvent, error) {
	cfg, err := config(ch)
	if err != nil {
		return nil, err
	}
	t, err := a.trade(ctx, cfg, orderID)
	if err != nil {
		return nil, err
	}
	return t.Event()
}
