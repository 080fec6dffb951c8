package jd

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

// optionalFields are the order fields ChatBridge reads.
const optionalFields = "orderId,orderState,orderPayment,modified,pin,consigneeInfo,itemInfoList,waybill,logisticsId"

// orderStates asked for: every state a POP order passes after payment.
const orderStates = "WAIT_SELLER_STOCK_OUT,WAIT_SELLER_DELIVERY,WAIT_GOODS_RECEIVE_CONFIRM,FINISHED_L,TRADE_CANCELED,LOCKED,PAUSE,POP_ORDER_PAUSE"

// Order is a JOS order (the fields read).
type Order struct {
	OrderID      string     `json:"orderId"`
	OrderState   string     `json:"orderState"`
	OrderPayment string     `json:"orderPayment"`
	Modified     string     `json:"modified"`
	Pin          string     `json:"pin"`
	Consignee    *Consignee `json:"consigneeInfo"`
	Items        []Item     `json:"itemInfoList"`
	Waybill      string     `json:"waybill"`
	LogisticsID  string     `json:"logisticsId"`
}

// Consignee is an order's receiver.
type Consignee struct {
	Fullname    string `json:"fullname"`
	Mobile      string `json:"mobile"`
	Telephone   string `json:"telephone"`
	Province    string `json:"province"`
	City        string `json:"city"`
	County      string `json:"county"`
	Town        string `json:"town"`
	FullAddress string `json:"fullAddress"`
}

// Item is one line of an order.
type Item struct {
	SkuName    string `json:"skuName"`
	OuterSkuID string `json:"outerSkuId"`
	SkuID      string `json:"skuId"`
	ItemTotal  string `json:"itemTotal"`
}

// orderState maps JOS's order state to ChatBridge's:
//
//	WAIT_SELLER_STOCK_OUT (等待出库), WAIT_SELLER_DELIVERY (等待发货),
//	PAUSE, POP_ORDER_PAUSE (暂停)                        → paid
//	WAIT_GOODS_RECEIVE_CONFIRM (等待确认收货)              → shipped
//	FINISHED_L (完成)                                    → delivered
//	LOCKED (锁定: the buyer asked to cancel or refund)     → refunding
//	TRADE_CANCELED (取消)                                → closed
//
// JD's after-sale cases live in its separate after-sale service APIs, which this
// adapter does not read: a refund shows as the order's LOCKED state only.
var orderState = map[string]models.OrderStatus{
	"WAIT_SELLER_STOCK_OUT": models.OrderPaid, "WAIT_SELLER_DELIVERY": models.OrderPaid,
	"PAUSE": models.OrderPaid, "POP_ORDER_PAUSE": models.OrderPaid,
	"WAIT_GOODS_RECEIVE_CONFIRM": models.OrderShipped, "FINISHED_L": models.OrderDelivered,
	"LOCKED": models.OrderRefunding, "TRADE_CANCELED": models.OrderClosed,
}

// Event is the order as ChatBridge's order event; the buyer is the order's pin.
func (o *Order) Event() (*adapters.OrderEvent, error) {
	if o.OrderID == "" {
		return nil, fmt.Errorf("jd: order without orderId")
	}
	st, ok := orderState[o.OrderState]
	if !ok {
		return nil, fmt.Errorf("jd: order %s has the unknown orderState %q", o.OrderID, o.OrderState)
	}
	modified, err := time.ParseInLocation(TimeLayout, o.Modified, CST)
	if err != nil {
		return nil, fmt.Errorf("jd: order %s: modified %q is not a JOS time", o.OrderID, o.Modified)
	}
	if o.Pin == "" {
		return nil, fmt.Errorf("jd: order %s names no buyer (pin)", o.OrderID)
	}
	ev := &adapters.OrderEvent{ExternalID: o.OrderID, CustomerID: o.Pin, Status: st, Total: o.OrderPayment,
		Currency: "CNY", UpdatedAt: modified.UTC()}
	for _, it := range o.Items {
		n, err := strconv.Atoi(it.ItemTotal)
		if err != nil {
			return nil, fmt.Errorf("jd: order %s: itemTotal %q is not a number", o.OrderID, it.ItemTotal)
		}
		sku := it.OuterSkuID
		if sku == "" {
			sku = it.SkuID
		}
		ev.Items = append(ev.Items, models.OrderItem{SKU: sku, Title: it.SkuName, Quantity: n})
	}
	if c := o.Consignee; c != nil {
		phone := c.Mobile
		if phone == "" {
			phone = c.Telephone
		}
		ev.Address = &models.Address{Name: c.Fullname, Phone: phone, Detail: c.FullAddress,
			Region: strings.Join(strings.Fields(strings.Join([]string{c.Province, c.City, c.County, c.Town}, " ")), " ")}
	}
	if o.Waybill != "" {
		ev.Tracking = &adapters.Tracking{Carrier: "jd:" + o.LogisticsID, Number: o.Waybill}
	}
	return ev, nil
}

const searchMethod = "jingdong.pop.order.search"

// ParseSearch reads an order search answer into a page of events.
func ParseSearch(body []byte) (orderpoll.Page, error) {
	raw, err := ResponseObject(searchMethod, body)
	if err != nil {
		return orderpoll.Page{}, err
	}
	var resp struct {
		Result *struct {
			APIResult  *APIResult `json:"apiResult"`
			OrderTotal *int       `json:"orderTotal"`
			Orders     []Order    `json:"orderInfoList"`
		} `json:"searchorderinfo_result"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return orderpoll.Page{}, fmt.Errorf("jd: %s: unreadable answer: %w", searchMethod, err)
	}
	if resp.Result == nil || resp.Result.OrderTotal == nil {
		return orderpoll.Page{}, fmt.Errorf("jd: %s answered no searchorderinfo_result with orderTotal", searchMethod)
	}
	if err := resp.Result.APIResult.err(searchMethod); err != nil {
		return orderpoll.Page{}, err
	}
	page := orderpoll.Page{Total: *resp.Result.OrderTotal}
	for i := range resp.Result.Orders {
		ev, err := resp.Result.Orders[i].Event()
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
		from, to := c.Window()
		body, err := a.call(ctx, cfg, searchMethod, map[string]any{
			"start_date": from.In(CST).Format(TimeLayout), "end_date": to.In(CST).Format(TimeLayout),
			"order_state": orderStates, "optional_fields": optionalFields, "dateType": "0", "sortType": "0",
			"page": strconv.Itoa(c.Page), "page_size": strconv.Itoa(Spec.PageSize),
		})
		if err != nil {
			return orderpoll.Page{}, err
		}
		return ParseSearch(body)
	})
}

// FetchOrder reads one order with jingdong.pop.order.get.
func (a *Adapter) FetchOrder(ctx context.Context, ch adapters.Channel, orderID string) (*adapters.OrderEvent, error) {
	cfg, err := config(ch)
	if err != nil {
		return nil, err
	}
	const method = "jingdong.pop.order.get"
	body, err := a.call(ctx, cfg, method, map[string]any{"order_id": orderID, "optional_fields": optionalFields, "order_state": orderStates})
	if err != nil {
		return nil, err
	}
	raw, err := ResponseObject(method, body)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Detail *struct {
			APIResult *APIResult `json:"apiResult"`
			OrderInfo *Order     `json:"orderInfo"`
		} `json:"orderDetailInfo"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("jd: %s: unreadable answer: %w", method, err)
	}
	if resp.Detail == nil {
		return nil, fmt.Errorf("jd: %s answered no orderDetailInfo", method)
	}
	if err := resp.Detail.APIResult.err(method); err != nil {
		return nil, err
	}
	if resp.Detail.OrderInfo == nil {
		return nil, fmt.Errorf("jd: %s answered no orderInfo for %s", method, orderID)
	}
	return resp.Detail.OrderInfo.Event()
}

// Flags maps ChatBridge's colours to the vendor remark's flag (0–5). JD's colour for
// each number is UNCONFIRMED in public documentation: Taobao's numbering is used
// (0 none, 1 red, 2 yellow, 3 green, 4 blue, 5 purple).
var Flags = map[string]int{"none": 0, "red": 1, "yellow": 2, "green": 3, "blue": 4, "purple": 5}

// WriteNote sets the order's vendor remark (商家备注) and flag.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	flag, ok := Flags[n.Flag]
	if !ok {
		return &adapters.PermanentError{Err: fmt.Errorf("jd: no remark flag for %q", n.Flag)}
	}
	const method = "jingdong.pop.order.modifyVenderRemark"
	body, err := a.call(ctx, cfg, method, map[string]any{"order_id": n.OrderID, "flag": strconv.Itoa(flag), "remark": n.Note})
	if err != nil {
		return err
	}
	raw, err := ResponseObject(method, body)
	if err != nil {
		return err
	}
	var resp struct {
		Result *APIResult `json:"modifyvenderremark_result"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("jd: %s: unreadable answer: %w", method, err)
	}
	return resp.Result.err(method)
}
