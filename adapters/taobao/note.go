package taobao

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/chatbridge/chatbridge/adapters"
)

// Flags maps ChatBridge's flag colours to TOP's seller flag (seller_flag): 0 none (grey),
// 1 red, 2 yellow, 3 green, 4 blue, 5 purple. (The memo API's own page calls 5 pink;
// the Trade model calls it purple; the number is the same.)
var Flags = map[string]int{"none": 0, "red": 1, "yellow": 2, "green": 3, "blue": 4, "purple": 5}

// MaxMemoBytes is TOP's limit on a memo.
const MaxMemoBytes = 1000

// WriteNote puts the note and flag on the trade. taobao.trade.memo.add may be called
// only once per trade, so it is tried first and, when TOP refuses it as a business error
// (a memo exists), taobao.trade.memo.update — which may be repeated — sets it instead.
// An empty note clears the memo (update with reset) and sets the flag.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	cfg, err := config(ch)
	if err != nil {
		return err
	}
	flag, ok := Flags[n.Flag]
	if !ok {
		return &adapters.PermanentError{Err: fmt.Errorf("taobao: no seller flag for %q", n.Flag)}
	}
	if len(n.Note) > MaxMemoBytes {
		return &adapters.PermanentError{Err: &adapters.BadRequestError{Field: "note",
			Reason: fmt.Sprintf("is %d bytes; a Taobao memo takes at most %d", len(n.Note), MaxMemoBytes)}}
	}
	params := map[string]string{"tid": n.OrderID, "flag": strconv.Itoa(flag)}
	if n.Note == "" {
		params["reset"] = "true"
		return a.memoCall(ctx, cfg, "taobao.trade.memo.update", params)
	}
	params["memo"] = n.Note
	err = a.memoCall(ctx, cfg, "taobao.trade.memo.add", params)
	if err == nil || !isBusinessRefusal(err) {
		return err
	}
	return a.memoCall(ctx, cfg, "taobao.trade.memo.update", params)
}

// memoCall makes a memo call and checks that TOP answered the trade.
func (a *Adapter) memoCall(ctx context.Context, cfg Config, method string, params map[string]string) error {
	raw, err := a.call(ctx, cfg, method, params)
	if err != nil {
		return err
	}
	var resp struct {
		Trade *struct {
			Tid      json.Number `json:"tid"`
			Modified string      `json:"modified"`
		} `json:"trade"`
	}
	if err := decode(method, raw, &resp); err != nil {
		return err
	}
	if resp.Trade == nil {
		return fmt.Errorf("taobao: %s answered no trade", method)
	}
	return nil
}
