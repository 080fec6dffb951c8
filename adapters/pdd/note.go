package pdd

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chatbridge/chatbridge/adapters"
)

// Tags maps ChatBridge's flag colours to pdd.order.note.update's tag (1 red, 2 yellow,
// 3 green, 4 blue, 5 purple) and its tag_name (at most 3 characters). "none" sends
// neither: Pinduoduo wants tag and tag_name together or not at all.
var Tags = map[string]struct {
	Tag  int
	Name string
}{
	"red": {1, "红色"}, "yellow": {2, "黄色"}, "green": {3, "绿色"}, "blue": {4, "蓝色"}, "purple": {5, "紫色"},
}

// WriteNote sets the order's merchant note (商家订单备注) and its colour tag.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	params := map[string]string{"order_sn": n.OrderID, "note": n.Note}
	if n.Flag != "none" {
		tag, ok := Tags[n.Flag]
		if !ok {
			return &adapters.PermanentError{Err: fmt.Errorf("pdd: no note tag for %q", n.Flag)}
		}
		params["tag"], params["tag_name"] = strconv.Itoa(tag.Tag), tag.Name
	}
	const typ = "pdd.order.note.update"
	raw, err := a.call(ctx, cfg, typ, "response", params)
	if err != nil {
		return err
	}
	var resp struct {
		Success   *bool  `json:"success"`
		ErrorCode int    `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	if err := decode(typ, raw, &resp); err != nil {
		return err
	}
	if resp.Success == nil || !*resp.Success {
		return classify(&APIError{Code: resp.ErrorCode, Msg: resp.ErrorMsg})
	}
	return nil
}
