package taobao

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/chatbridge/chatbridge/adapters"
)

// ErrShipped is TOP's answer to an address change after shipment (error 520).
var ErrShipped = errors.New("taobao: already shipped: intercept the parcel")

// Byte limits of taobao.trade.shippingaddress.update, counted in GBK.
var addressLimits = []struct {
	field string
	max   int
}{
	{"receiver_name", 50}, {"receiver_state", 32}, {"receiver_city", 32}, {"receiver_district", 32},
	{"receiver_town", 32}, {"receiver_address", 228},
}

// UpdateAddress changes the trade's shipping address (allowed before shipment only).
// The region is read as "province city district [town]", separated by spaces, the way
// ChatBridge shows Taobao addresses. Values too long for TOP (in GBK bytes) or with
// characters GBK cannot hold are refused before calling.
func (a *Adapter) UpdateAddress(ctx context.Context, ch adapters.Channel, c adapters.AddressChange) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	params, err := addressParams(c)
	if err != nil {
		return &adapters.PermanentError{Err: err}
	}
	_, err = a.call(ctx, cfg, "taobao.trade.shippingaddress.update", params)
	if isShipped(err) {
		return &adapters.PermanentError{Err: fmt.Errorf("%w (trade %s): %v", ErrShipped, c.OrderID, err)}
	}
	return err
}

func addressParams(c adapters.AddressChange) (map[string]string, error) {
	region := strings.Fields(c.Address.Region)
	if len(region) > 4 {
		return nil, &adapters.BadRequestError{Field: "address.region", Reason: "must be at most province, city, district and town, separated by spaces"}
	}
	region = append(region, make([]string, 4-len(region))...)
	params := map[string]string{
		"tid": c.OrderID, "receiver_name": c.Address.Name, "receiver_address": c.Address.Detail,
		"receiver_state": region[0], "receiver_city": region[1], "receiver_district": region[2], "receiver_town": region[3],
	}
	if isMobile(c.Address.Phone) {
		params["receiver_mobile"] = c.Address.Phone
	} else {
		params["receiver_phone"] = c.Address.Phone
	}
	for _, l := range addressLimits {
		n, err := GBKLen(params[l.field])
		if err != nil {
			return nil, &adapters.BadRequestError{Field: l.field, Reason: "has characters Taobao cannot store (GBK): " + err.Error()}
		}
		if n > l.max {
			return nil, &adapters.BadRequestError{Field: l.field, Reason: fmt.Sprintf("is %d bytes in GBK; Taobao takes at most %d", n, l.max)}
		}
	}
	for k, v := range params {
		if v == "" {
			delete(params, k)
		}
	}
	return params, nil
}

// GBKLen is the length of s in GBK, the encoding TOP counts address limits in (a
// Chinese character is 2 bytes there, 3 in UTF-8).
func GBKLen(s string) (int, error) {
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

func isMobile(phone string) bool {
	if len(phone) != 11 || phone[0] != '1' {
		return false
	}
	_, err := strconv.ParseUint(phone, 10, 64)
	return err == nil
}

// isShipped recognises error 520, as the top-level code or as the sub_code.
func isShipped(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == 520 || e.SubCode == "520" || strings.HasSuffix(e.SubCode, ".520") || strings.HasSuffix(e.SubCode, "-520")
}
