package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/models"
)

// Order is a Shopify order as webhooks and the Admin API carry it (the fields read).
type Order struct {
	ID                json.Number   `json:"id"`
	UpdatedAt         string        `json:"updated_at"`
	CancelledAt       *string       `json:"cancelled_at"`
	FinancialStatus   string        `json:"financial_status"`
	FulfillmentStatus *string       `json:"fulfillment_status"`
	TotalPrice        string        `json:"total_price"`
	Currency          string        `json:"currency"`
	Email             string        `json:"email"`
	Customer          *Customer     `json:"customer"`
	LineItems         []LineItem    `json:"line_items"`
	ShippingAddress   *Address      `json:"shipping_address"`
	Fulfillments      []Fulfillment `json:"fulfillments"`
	Note              *string       `json:"note,omitempty"`
	Tags              *string       `json:"tags,omitempty"`
}

// Customer is the buyer of an order.
type Customer struct {
	ID json.Number `json:"id"`
}

// LineItem is one line of an order.
type LineItem struct {
	SKU      string `json:"sku"`
	Title    string `json:"title"`
	Quantity int    `json:"quantity"`
}

// Address is a Shopify address.
type Address struct {
	Name      string `json:"name,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Address1  string `json:"address1,omitempty"`
	Address2  string `json:"address2,omitempty"`
	City      string `json:"city,omitempty"`
	Province  string `json:"province,omitempty"`
	Zip       string `json:"zip,omitempty"`
	Country   string `json:"country,omitempty"`
}

// Region is how ChatBridge shows the address's region: country, province, city, zip.
func (a *Address) Region() string {
	return strings.Join(strings.Fields(strings.Join([]string{a.Country, a.Province, a.City, a.Zip}, " ")), " ")
}

// Fulfillment is one shipment of an order.
type Fulfillment struct {
	TrackingCompany string `json:"tracking_company"`
	TrackingNumber  string `json:"tracking_number"`
	ShipmentStatus  string `json:"shipment_status"`
}

// ParseOrder reads an order body, naming what is wrong.
func ParseOrder(body []byte) (*Order, error) {
	var o Order
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		return nil, &adapters.BadRequestError{Field: "order", Reason: "is not a Shopify order: " + err.Error()}
	}
	if o.ID == "" {
		return nil, &adapters.BadRequestError{Field: "id", Reason: "is required"}
	}
	if o.UpdatedAt == "" {
		return nil, &adapters.BadRequestError{Field: "updated_at", Reason: "is required"}
	}
	return &o, nil
}

// Status maps the order to ChatBridge's status:
//
//	cancelled_at set: financial_status refunded → refunded, else → closed
//	financial_status refunded → refunded; voided → closed
//	financial_status pending, partially_paid → unpaid
//	financial_status paid, authorized, partially_refunded, then by fulfillment:
//	  fulfillment_status fulfilled or partial → shipped, or delivered once every
//	  shipment's shipment_status is delivered; none → paid
//
// A partial refund leaves the order where its shipping is; the refund case says it.
func (o *Order) Status() (models.OrderStatus, error) {
	switch o.FinancialStatus {
	case "refunded":
		return models.OrderRefunded, nil
	case "voided":
		return models.OrderClosed, nil
	}
	if o.CancelledAt != nil && *o.CancelledAt != "" {
		return models.OrderClosed, nil
	}
	switch o.FinancialStatus {
	case "pending", "partially_paid":
		return models.OrderUnpaid, nil
	case "paid", "authorized", "partially_refunded":
	default:
		return "", fmt.Errorf("order %s has the unknown financial_status %q", o.ID, o.FinancialStatus)
	}
	if o.FulfillmentStatus == nil || (*o.FulfillmentStatus != "fulfilled" && *o.FulfillmentStatus != "partial") {
		return models.OrderPaid, nil
	}
	delivered := len(o.Fulfillments) > 0
	for _, f := range o.Fulfillments {
		delivered = delivered && f.ShipmentStatus == "delivered"
	}
	if delivered {
		return models.OrderDelivered, nil
	}
	return models.OrderShipped, nil
}

// Event is the order as ChatBridge's order event. The buyer is the Shopify customer,
// or the order's email for a guest checkout.
func (o *Order) Event() (*adapters.OrderEvent, error) {
	st, err := o.Status()
	if err != nil {
		return nil, err
	}
	updated, err := time.Parse(time.RFC3339, o.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("order %s: updated_at %q is not RFC 3339", o.ID, o.UpdatedAt)
	}
	buyer := o.Email
	if o.Customer != nil && o.Customer.ID != "" {
		buyer = o.Customer.ID.String()
	}
	if buyer == "" {
		return nil, fmt.Errorf("order %s names no customer or email", o.ID)
	}
	ev := &adapters.OrderEvent{ExternalID: o.ID.String(), CustomerID: buyer, Status: st, Total: o.TotalPrice,
		Currency: o.Currency, UpdatedAt: updated.UTC()}
	for _, li := range o.LineItems {
		ev.Items = append(ev.Items, models.OrderItem{SKU: li.SKU, Title: li.Title, Quantity: li.Quantity})
	}
	if a := o.ShippingAddress; a != nil {
		name := a.Name
		if name == "" {
			name = strings.TrimSpace(a.FirstName + " " + a.LastName)
		}
		ev.Address = &models.Address{Name: name, Phone: a.Phone, Region: a.Region(),
			Detail: strings.TrimSpace(a.Address1 + " " + a.Address2)}
	}
	for _, f := range o.Fulfillments {
		if f.TrackingNumber != "" {
			ev.Tracking = &adapters.Tracking{Carrier: f.TrackingCompany, Number: f.TrackingNumber}
		}
	}
	return ev, nil
}

// Refund is a refunds/create body (the fields read).
type Refund struct {
	ID              json.Number `json:"id"`
	OrderID         json.Number `json:"order_id"`
	CreatedAt       string      `json:"created_at"`
	Note            *string     `json:"note"`
	RefundLineItems []struct {
		RestockType string `json:"restock_type"`
	} `json:"refund_line_items"`
	Transactions []struct {
		Amount string `json:"amount"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"transactions"`
}

// ParseRefund reads a refunds/create body, naming what is wrong.
func ParseRefund(body []byte) (*Refund, error) {
	var r Refund
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, &adapters.BadRequestError{Field: "refund", Reason: "is not a Shopify refund: " + err.Error()}
	}
	for field, v := range map[string]string{"id": r.ID.String(), "order_id": r.OrderID.String(), "created_at": r.CreatedAt} {
		if v == "" {
			return nil, &adapters.BadRequestError{Field: field, Reason: "is required"}
		}
	}
	if _, err := time.Parse(time.RFC3339, r.CreatedAt); err != nil {
		return nil, &adapters.BadRequestError{Field: "created_at", Reason: "is not RFC 3339"}
	}
	return &r, nil
}

// Case is the refund as ChatBridge's case. A Shopify refund is made by the merchant
// and done when created, so the case is agreed; goods restocked as "return" make it a
// return_refund. The amount is the successful refund transactions' sum.
func (r *Refund) Case() (*adapters.Refund, error) {
	c := &adapters.Refund{ExternalID: r.ID.String(), Type: "refund_only", Status: "agreed"}
	for _, li := range r.RefundLineItems {
		if li.RestockType == "return" {
			c.Type = "return_refund"
		}
	}
	sum := new(big.Rat)
	for _, t := range r.Transactions {
		if t.Kind != "refund" || t.Status != "success" {
			continue
		}
		amt, ok := new(big.Rat).SetString(t.Amount)
		if !ok {
			return nil, &adapters.BadRequestError{Field: "transactions.amount", Reason: fmt.Sprintf("%q is not an amount", t.Amount)}
		}
		sum.Add(sum, amt)
	}
	c.Amount = sum.FloatString(2)
	if r.Note != nil {
		c.Reason = *r.Note
	}
	return c, nil
}
