package douyin

import (
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

// Name is a named part of an address ({"name": "浙江省"}).
type Name struct {
	Name string `json:"name"`
}

// PostAddr is an order's receiving address.
type PostAddr struct {
	Province Name   `json:"province"`
	City     Name   `json:"city"`
	Town     Name   `json:"town"`
	Street   Name   `json:"street"`
	Detail   string `json:"detail"`
}

// AfterSaleInfo is a line's after-sale state.
type AfterSaleInfo struct {
	AfterSaleStatus int `json:"after_sale_status"`
	AfterSaleType   int `json:"after_sale_type"`
	RefundStatus    int `json:"refund_status"`
}

// SkuOrder is one line of a shop order.
type SkuOrder struct {
	ProductName   string         `json:"product_name"`
	ItemNum       int            `json:"item_num"`
	OutSkuID      string         `json:"out_sku_id"`
	Code          string         `json:"code"`
	AfterSaleInfo *AfterSaleInfo `json:"after_sale_info"`
}

// Logistics is one parcel of an order.
type Logistics struct {
	TrackingNo  string `json:"tracking_no"`
	CompanyName string `json:"company_name"`
}

// ShopOrder is a shop order as the search and detail APIs answer it (the fields read).
type ShopOrder struct {
	OrderID       string      `json:"order_id"`
	OrderStatus   int         `json:"order_status"`
	PayAmount     int64       `json:"pay_amount"` // in fen (分)
	UpdateTime    int64       `json:"update_time"`
	DoudianOpenID string      `json:"doudian_open_id"`
	PostReceiver  string      `json:"post_receiver"`
	PostTel       string      `json:"post_tel"`
	PostAddr      *PostAddr   `json:"post_addr"`
	SkuOrderList  []SkuOrder  `json:"sku_order_list"`
	LogisticsInfo []Logistics `json:"logistics_info"`
}

// orderStatus maps the order status to ChatBridge's:
//
//	1 (待确认/待支付)              → unpaid
//	105 (已支付), 2 (备货中)        → paid
//	101 (部分发货), 3 (已发货)      → shipped
//	5 (已完成)                     → delivered
//	4 (已取消)                     → closed, or refunded after a successful after-sale
//
// A line with an after-sale under way (after_sale_status 6, 7, 11, 27, 29) makes a
// paid, shipped or delivered order refunding.
var orderStatus = map[int]models.OrderStatus{
	1: models.OrderUnpaid, 105: models.OrderPaid, 2: models.OrderPaid, 101: models.OrderShipped,
	3: models.OrderShipped, 5: models.OrderDelivered, 4: models.OrderClosed,
}

// afterSaleStatus maps after_sale_status to the case status: 6 申请 → requested;
// 7 退货中, 11 已发货 (exchange sent) → agreed; 27 拒绝申请, 29 退货后拒绝退款 → rejected;
// 12 售后成功, 28 售后失败/关闭 → closed.
var afterSaleStatus = map[int]string{6: "requested", 7: "agreed", 11: "agreed", 27: "rejected", 29: "rejected", 12: "closed", 28: "closed"}

var afterSaleOpen = map[int]bool{6: true, 7: true, 11: true, 27: true, 29: true}

// afterSaleType: 0 退货退款 and 3 换货 send goods back; 1, 2 仅退款 do not.
func afterSaleType(t int) string {
	if t == 0 || t == 3 {
		return "return_refund"
	}
	return "refund_only"
}

// Event is the order as ChatBridge's order event. The order APIs carry each line's
// after-sale state but not the case's own id, so the case is keyed on the order.
func (o *ShopOrder) Event() (*adapters.OrderEvent, error) {
	if o.OrderID == "" || o.UpdateTime <= 0 {
		return nil, fmt.Errorf("douyin: order without order_id or update_time")
	}
	st, ok := orderStatus[o.OrderStatus]
	if !ok {
		return nil, fmt.Errorf("douyin: order %s has the unknown order_status %d", o.OrderID, o.OrderStatus)
	}
	if o.DoudianOpenID == "" {
		return nil, fmt.Errorf("douyin: order %s names no buyer (doudian_open_id)", o.OrderID)
	}
	ev := &adapters.OrderEvent{ExternalID: o.OrderID, CustomerID: o.DoudianOpenID, Currency: "CNY",
		Total: fmt.Sprintf("%d.%02d", o.PayAmount/100, o.PayAmount%100), UpdatedAt: time.Unix(o.UpdateTime, 0).UTC()}
	open, succeeded := false, false
	for _, s := range o.SkuOrderList {
		sku := s.OutSkuID
		if sku == "" {
			sku = s.Code
		}
		ev.Items = append(ev.Items, models.OrderItem{SKU: sku, Title: s.ProductName, Quantity: s.ItemNum})
		as := s.AfterSaleInfo
		if as == nil || as.AfterSaleStatus == 0 {
			continue
		}
		cs, known := afterSaleStatus[as.AfterSaleStatus]
		if !known {
			return nil, fmt.Errorf("douyin: order %s has the unknown after_sale_status %d", o.OrderID, as.AfterSaleStatus)
		}
		open = open || afterSaleOpen[as.AfterSaleStatus]
		succeeded = succeeded || as.AfterSaleStatus == 12
		if ev.Refund == nil || afterSaleOpen[as.AfterSaleStatus] {
			ev.Refund = &adapters.Refund{ExternalID: o.OrderID, Type: afterSaleType(as.AfterSaleType), Status: cs}
		}
	}
	switch {
	case st == models.OrderClosed && succeeded:
		st = models.OrderRefunded
	case open && (st == models.OrderPaid || st == models.OrderShipped || st == models.OrderDelivered):
		st = models.OrderRefunding
	}
	ev.Status = st
	if a := o.PostAddr; a != nil {
		ev.Address = &models.Address{Name: o.PostReceiver, Phone: o.PostTel, Detail: a.Detail,
			Region: strings.Join(strings.Fields(strings.Join([]string{a.Province.Name, a.City.Name, a.Town.Name, a.Street.Name}, " ")), " ")}
	}
	if len(o.LogisticsInfo) > 0 && o.LogisticsInfo[0].TrackingNo != "" {
		ev.Tracking = &adapters.Tracking{Carrier: o.LogisticsInfo[0].CompanyName, Number: o.LogisticsInfo[0].TrackingNo}
	}
	return ev, nil
}

const searchMethod = "order.searchList"

// ParseSearch reads an order.searchList answer into a page of events.
func ParseSearch(body []byte) (orderpoll.Page, error) {
	data, err := ParseAnswer(searchMethod, body)
	if err != nil {
		return orderpoll.Page{}, err
	}
	var d struct {
		ShopOrderList []ShopOrder `json:"shop_order_list"`
		Total         *int        `json:"total"`
	}
	if err := json.Unmarshal(data, &d); err != nil || d.Total == nil {
		return orderpoll.Page{}, fmt.Errorf("douyin: %s: data without shop_order_list and total (%.200s)", searchMethod, data)
	}
	page := orderpoll.Page{Total: *d.Total}
	for i := range d.ShopOrderList {
		ev, err := d.ShopOrderList[i].Event()
		if err != nil {
			return orderpoll.Page{}, err
		}
		page.Events = append(page.Events, adapters.Event{Order: ev})
	}
	return page, nil
}

// Poll reads the next page of orders updated since the cursor (see orderpoll). The
// platform numbers pages from 0.
func (a *Adapter) Poll(ctx context.Context, ch adapters.Channel, cursor, _ string) (adapters.PollResult, error) {
	cfg, err := config(ch)
	if err != nil {
		return adapters.PollResult{}, err
	}
	return orderpoll.Pull(cursor, a.now(), Spec, func(c orderpoll.Cursor) (orderpoll.Page, error) {
		body, err := a.raw(ctx, cfg, searchMethod, map[string]any{
			"update_time_start": c.From, "update_time_end": c.To, "page": c.Page - 1, "size": Spec.PageSize,
			"order_by": "update_time", "order_asc": true,
		})
		if err != nil {
			return orderpoll.Page{}, err
		}
		return ParseSearch(body)
	})
}

// FetchOrder reads one order with order.orderDetail.
func (a *Adapter) FetchOrder(ctx context.Context, ch adapters.Channel, orderID string) (*adapters.OrderEvent, error) {
	cfg, err := config(ch)
	if err != nil {
		return nil, err
	}
	const method = "order.orderDetail"
	data, err := a.call(ctx, cfg, method, map[string]any{"shop_order_id": orderID})
	if err != nil {
		return nil, err
	}
	var d struct {
		Detail *ShopOrder `json:"shop_order_detail"`
	}
	if err := json.Unmarshal(data, &d); err != nil || d.Detail == nil {
		return nil, fmt.Errorf("douyin: %s: data without shop_order_detail (%.200s)", method, data)
	}
	return d.Detail.Event()
}

// Stars maps ChatBridge's flag colours to the remark's star (0–5 = grey, purple, cyan,
// green, orange, red): red 5, purple 1, green 3, blue 2 (cyan, the nearest), yellow 4
// (orange, the nearest). "none" adds no star.
var Stars = map[string]int{"red": 5, "purple": 1, "green": 3, "blue": 2, "yellow": 4}

// WriteNote sets the order's merchant remark and star.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	params := map[string]any{"order_id": n.OrderID, "remark": n.Note, "is_add_star": "false"}
	if n.Flag != "none" {
		star, ok := Stars[n.Flag]
		if !ok {
			return &adapters.PermanentError{Err: fmt.Errorf("douyin: no remark star for %q", n.Flag)}
		}
		params["is_add_star"], params["star"] = "true", strconv.Itoa(star)
	}
	_, err = a.call(ctx, cfg, "order.addOrderRemark", params)
	return err
}
