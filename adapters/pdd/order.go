package pdd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/orderpoll"
	"github.com/chatbridge/chatbridge/models"
)

// CST is GMT+8, the zone of Pinduoduo's times.
var CST = time.FixedZone("CST", 8*3600)

// TimeLayout is Pinduoduo's time format.
const TimeLayout = "2006-01-02 15:04:05"

// Order is an order as the increment and information APIs answer it (the fields read).
type Order struct {
	OrderSN          string  `json:"order_sn"`
	OrderStatus      int     `json:"order_status"`
	RefundStatus     int     `json:"refund_status"`
	ConfirmStatus    int     `json:"confirm_status"`
	AfterSalesStatus int     `json:"after_sales_status"`
	PayAmount        float64 `json:"pay_amount"`
	UpdatedAt        string  `json:"updated_at"`
	ReceiverName     string  `json:"receiver_name"`
	ReceiverPhone    string  `json:"receiver_phone"`
	Province         string  `json:"province"`
	City             string  `json:"city"`
	Town             string  `json:"town"`
	ReceiverAddress  string  `json:"receiver_address"`
	TrackingNumber   string  `json:"tracking_number"`
	LogisticsID      int64   `json:"logistics_id"`
	ItemList         []Item  `json:"item_list"`
}

// Item is one line of an order.
type Item struct {
	GoodsName    string `json:"goods_name"`
	GoodsCount   int    `json:"goods_count"`
	OuterID      string `json:"outer_id"`
	OuterGoodsID string `json:"outer_goods_id"`
}

// Status maps Pinduoduo's order to ChatBridge's status:
//
//	confirm_status 0 (未成交: group not formed / unpaid)        → unpaid
//	confirm_status 2 (已取消), refund_status 4 (退款成功)        → refunded
//	confirm_status 2 (已取消) otherwise                        → closed
//	refund_status 4 (退款成功)                                 → refunded
//	refund_status 2, 3 (售后处理中, 退款中)                      → refunding
//	order_status 1 (待发货)                                    → paid
//	order_status 2 (已发货待签收)                               → shipped
//	order_status 3 (已签收)                                    → delivered
func (o *Order) Status() (models.OrderStatus, error) {
	switch {
	case o.ConfirmStatus == 0:
		return models.OrderUnpaid, nil
	case o.RefundStatus == 4:
		return models.OrderRefunded, nil
	case o.ConfirmStatus == 2:
		return models.OrderClosed, nil
	case o.RefundStatus == 2 || o.RefundStatus == 3:
		return models.OrderRefunding, nil
	}
	switch o.OrderStatus {
	case 1:
		return models.OrderPaid, nil
	case 2:
		return models.OrderShipped, nil
	case 3:
		return models.OrderDelivered, nil
	}
	return "", fmt.Errorf("pdd: order %s has the unknown order_status %d", o.OrderSN, o.OrderStatus)
}

type afterSale struct{ typ, status string }

// afterSales maps after_sales_status to a case. Pinduoduo's order APIs carry the
// after-sale status but not the case's own id or amount, so the case is keyed on the
// order. Exchanges and repairs (换货, 维修) are cases where goods come back.
var afterSales = map[int]afterSale{
	2: {"refund_only", "requested"}, 3: {"return_refund", "requested"}, 4: {"refund_only", "agreed"},
	5: {"dispute", "agreed"}, 6: {"refund_only", "rejected"}, 7: {"return_refund", "agreed"},
	8: {"dispute", "requested"}, 9: {"dispute", "closed"}, 10: {"refund_only", "closed"},
	11: {"refund_only", "closed"}, 12: {"refund_only", "closed"}, 13: {"refund_only", "closed"},
	14: {"return_refund", "requested"}, 15: {"return_refund", "agreed"}, 16: {"return_refund", "closed"},
	17: {"return_refund", "closed"}, 18: {"return_refund", "agreed"}, 21: {"return_refund", "requested"},
	22: {"return_refund", "agreed"}, 24: {"return_refund", "closed"}, 25: {"return_refund", "closed"},
	27: {"return_refund", "agreed"}, 31: {"refund_only", "agreed"}, 32: {"return_refund", "agreed"},
	33: {"refund_only", "agreed"},
}

// Event is the order as ChatBridge's order event. Pinduoduo's order APIs give sellers'
// apps no buyer id, so the buyer is keyed on the order itself ("order:" + order_sn):
// one buyer record per order.
func (o *Order) Event() (*adapters.OrderEvent, error) {
	if o.OrderSN == "" {
		return nil, fmt.Errorf("pdd: order without order_sn")
	}
	st, err := o.Status()
	if err != nil {
		return nil, err
	}
	updated, err := time.ParseInLocation(TimeLayout, o.UpdatedAt, CST)
	if err != nil {
		return nil, fmt.Errorf("pdd: order %s: updated_at %q is not a Pinduoduo time", o.OrderSN, o.UpdatedAt)
	}
	ev := &adapters.OrderEvent{ExternalID: o.OrderSN, CustomerID: "order:" + o.OrderSN, Status: st,
		Total: strconv.FormatFloat(o.PayAmount, 'f', 2, 64), Currency: "CNY", UpdatedAt: updated.UTC()}
	for _, it := range o.ItemList {
		sku := it.OuterID
		if sku == "" {
			sku = it.OuterGoodsID
		}
		ev.Items = append(ev.Items, models.OrderItem{SKU: sku, Title: it.GoodsName, Quantity: it.GoodsCount})
	}
	if o.ReceiverName != "" || o.ReceiverAddress != "" {
		ev.Address = &models.Address{Name: o.ReceiverName, Phone: o.ReceiverPhone, Detail: o.ReceiverAddress,
			Region: strings.Join(nonEmpty(o.Province, o.City, o.Town), " ")}
	}
	if o.TrackingNumber != "" {
		ev.Tracking = &adapters.Tracking{Carrier: "pdd:" + strconv.FormatInt(o.LogisticsID, 10), Number: o.TrackingNumber}
	}
	if o.AfterSalesStatus != 0 {
		as, ok := afterSales[o.AfterSalesStatus]
		if !ok {
			return nil, fmt.Errorf("pdd: order %s has the unknown after_sales_status %d", o.OrderSN, o.AfterSalesStatus)
		}
		ev.Refund = &adapters.Refund{ExternalID: o.OrderSN, Type: as.typ, Status: as.status}
	}
	return ev, nil
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func decode(typ string, raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("pdd: %s: unreadable answer: %w", typ, err)
	}
	return nil
}

const incrementType = "pdd.order.number.list.increment.get"

// IncrementPage is the order_sn_increment_get_response object.
type IncrementPage struct {
	TotalCount  *int    `json:"total_count"`
	OrderSNList []Order `json:"order_sn_list"`
}

// ParseIncrement reads an increment answer into events; the total must be there.
func ParseIncrement(body []byte) (orderpoll.Page, error) {
	raw, err := ResponseObject(incrementType, "order_sn_increment_get_response", body)
	if err != nil {
		return orderpoll.Page{}, err
	}
	var p IncrementPage
	if err := decode(incrementType, raw, &p); err != nil {
		return orderpoll.Page{}, err
	}
	if p.TotalCount == nil {
		return orderpoll.Page{}, fmt.Errorf("pdd: %s answered no total_count", incrementType)
	}
	page := orderpoll.Page{Total: *p.TotalCount}
	for i := range p.OrderSNList {
		ev, err := p.OrderSNList[i].Event()
		if err != nil {
			return orderpoll.Page{}, err
		}
		page.Events = append(page.Events, adapters.Event{Order: ev})
	}
	return page, nil
}

// Poll reads the next page of orders changed since the cursor (see orderpoll).
func (a *Adapter) Poll(ctx context.Context, ch adapters.Channel, cursor, _ string) (adapters.PollResult, error) {
	cfg, err := config(ch)
	if err != nil {
		return adapters.PollResult{}, err
	}
	return orderpoll.Pull(cursor, a.now(), Spec, func(c orderpoll.Cursor) (orderpoll.Page, error) {
		body, err := a.raw(ctx, cfg, incrementType, map[string]string{
			"start_updated_at": strconv.FormatInt(c.From, 10), "end_updated_at": strconv.FormatInt(c.To, 10),
			"order_status": "5", "refund_status": "5", "is_lucky_flag": "0",
			"page": strconv.Itoa(c.Page), "page_size": strconv.Itoa(Spec.PageSize),
		})
		if err != nil {
			return orderpoll.Page{}, err
		}
		return ParseIncrement(body)
	})
}

// FetchOrder reads one order with pdd.order.information.get.
func (a *Adapter) FetchOrder(ctx context.Context, ch adapters.Channel, orderID string) (*adapters.OrderEvent, error) {
	cfg, err := config(ch)
	if err != nil {
		return nil, err
	}
	const typ = "pdd.order.information.get"
	raw, err := a.call(ctx, cfg, typ, "order_info_get_response", map[string]string{"order_sn": orderID})
	if err != nil {
		return nil, err
	}
	var resp struct {
		OrderInfo *Order `json:"order_info"`
	}
	if err := decode(typ, raw, &resp); err != nil {
		return nil, err
	}
	if resp.OrderInfo == nil {
		return nil, fmt.Errorf("pdd: %s answered no order_info for %s", typ, orderID)
	}
	return resp.OrderInfo.Event()
}
