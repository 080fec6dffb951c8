// Package orderpoll is how ChatBridge pages through a marketplace's "orders changed
// between two times" API (Pinduoduo, JD, Douyin) without missing an order: fixed
// windows of modification time that end a little in the past, and pages read from the
// last one back to the first.
//
// Why backwards: while we page, an order of the window may change again, which moves
// it out of the window (its modification time is now later) and shifts every order
// after it one place forward. Read forwards, that shift skips an order; read backwards,
// it only shows one twice, which the store keeps once (same order, same time). An
// order's modification time only grows, so no order enters a window that ends in the
// past. Pinduoduo's own guide recommends exactly this (page from the last page back,
// window end at least three minutes before the platform's clock).
package orderpoll

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Spec is one platform's rules for its window API.
type Spec struct {
	// Span is the longest window the API accepts (Pinduoduo: 30 minutes).
	Span time.Duration
	// Lag keeps a window's end this far behind the clock, so orders the platform is
	// still writing land in a later window.
	Lag time.Duration
	// Lookback is where a channel's first pull starts.
	Lookback time.Duration
	// PageSize is the number of orders asked per page.
	PageSize int
}

// Cursor is a pull position, stored by the core between pulls.
type Cursor struct {
	// From and To bound the window, in Unix seconds, both included. To is 0 until the
	// window is opened.
	From int64 `json:"from"`
	To   int64 `json:"to,omitempty"`
	// Page is the page to read next (from 1).
	Page int `json:"page"`
	// Last is the window's last page, 0 until the first page told the total. Once it is
	// known, pages are read from Last down to 1.
	Last int `json:"last,omitempty"`
}

// Start opens the cursor to read now. It answers ok=false when the window cannot open
// yet (it would end before it starts: the last pull was less than Lag ago).
func Start(raw string, now time.Time, s Spec) (c Cursor, ok bool, err error) {
	if raw == "" {
		c = Cursor{From: now.Add(-s.Lookback).Unix(), Page: 1}
	} else if err := json.Unmarshal([]byte(raw), &c); err != nil || c.From <= 0 || c.Page < 1 || c.Last < 0 {
		return Cursor{}, false, fmt.Errorf("orderpoll: cursor %q is not one this adapter wrote", raw)
	}
	if c.To == 0 {
		end := now.Add(-s.Lag).Unix()
		c.To = min(c.From+int64(s.Span/time.Second)-1, end)
		if c.To < c.From {
			return c, false, nil
		}
	}
	return c, true, nil
}

// Next is where to go after reading page c.Page of a window holding total orders,
// whether that page's orders count, and whether the platform holds more right now. A
// first page that reveals several pages does not count: its orders are read again last,
// after the pages behind it, where no shift can hide one.
func Next(c Cursor, total int, now time.Time, s Spec) (next Cursor, keep, more bool) {
	pages := max((total+s.PageSize-1)/s.PageSize, 1)
	switch {
	case c.Last == 0 && pages > 1:
		return Cursor{From: c.From, To: c.To, Page: pages, Last: pages}, false, true
	case c.Last > 0 && c.Page > 1:
		return Cursor{From: c.From, To: c.To, Page: c.Page - 1, Last: c.Last}, true, true
	}
	next = Cursor{From: c.To + 1, Page: 1}
	return next, true, next.From <= now.Add(-s.Lag).Unix()
}

// String encodes the cursor for the core to store.
func (c Cursor) String() string {
	raw, _ := json.Marshal(c)
	return string(raw)
}

// Window is the cursor's window as times.
func (c Cursor) Window() (from, to time.Time) {
	return time.Unix(c.From, 0), time.Unix(c.To, 0)
}

// Page is one page of a window as a platform answered it.
type Page struct {
	Events []adapters.Event
	// Total is the number of orders in the whole window.
	Total int
}

// Pull reads the next page from cursor with fetch and answers the core's PollResult.
// A cursor this package did not write is a PermanentError; a window that cannot open
// yet answers no events and keeps the cursor.
func Pull(cursor string, now time.Time, s Spec, fetch func(Cursor) (Page, error)) (adapters.PollResult, error) {
	c, ok, err := Start(cursor, now, s)
	if err != nil {
		return adapters.PollResult{}, &adapters.PermanentError{Err: err}
	}
	if !ok {
		return adapters.PollResult{Cursor: cursor}, nil
	}
	page, err := fetch(c)
	if err != nil {
		return adapters.PollResult{}, err
	}
	next, keep, more := Next(c, page.Total, now, s)
	res := adapters.PollResult{Cursor: next.String(), More: more}
	if keep {
		res.Events = page.Events
	}
	return res, nil
}
