package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
)

// Locker gives one process at a time a lease on a piece of work.
type Locker interface {
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// ErrPollBusy reports that another process is pulling the channel right now. Poll
// answers it inside an *adapters.ThrottledError, so the pull is simply tried again soon.
var ErrPollBusy = errors.New("inbox: the channel is being pulled by another worker")

// ErrPollMore reports that the platform still held more after the pages one pull may
// take; Poll answers it inside an *adapters.ThrottledError with no wait.
var ErrPollMore = errors.New("inbox: the platform holds more")

const (
	// pollCursor names the stream a Poller's cursor is kept under.
	pollCursor = "poll"
	// pollPages bounds one pull, so that a backlog is taken in slices.
	pollPages = 20
	// pollLease outlasts a pull of pollPages pages.
	pollLease = 5 * time.Minute
)

// Poll pulls what a channel's platform holds since the stored cursor and ingests it,
// page after page. The cursor is stored after each page's events are committed, so a
// crash repeats at most one page (whose redelivered messages are stored once). A
// channel without a Poller, or one deleted since, is nothing to do.
func (s *Service) Poll(ctx context.Context, channelID uint64, hint string) error {
	ch, err := s.channels.Load(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inbox: poll channel %d: %w", channelID, err)
	}
	adapter, _ := s.registry.Lookup(ch.Type)
	poller, ok := adapter.(adapters.Poller)
	if !ok {
		return nil
	}
	unlock, ok, err := s.locker.TryLock(ctx, "chatbridge:poll:"+strconv.FormatUint(ch.ID, 10), pollLease)
	if err != nil {
		return fmt.Errorf("inbox: poll channel %d: %w", ch.ID, err)
	}
	if !ok {
		return &adapters.ThrottledError{After: 2 * time.Second, Err: ErrPollBusy}
	}
	defer unlock()
	cursor, err := s.db.ChannelCursor(ctx, ch.ID, pollCursor)
	if err != nil {
		return err
	}
	for range pollPages {
		res, err := poller.Poll(ctx, ch, cursor, hint)
		if err != nil {
			return fmt.Errorf("inbox: poll channel %d: %w", ch.ID, err)
		}
		if err := s.ingestPage(ctx, ch, res.Events); err != nil {
			return err
		}
		if res.Cursor != "" && res.Cursor != cursor {
			if err := s.db.SetChannelCursor(ctx, ch.ID, pollCursor, res.Cursor); err != nil {
				return err
			}
			cursor = res.Cursor
		}
		if !res.More {
			return nil
		}
	}
	return &adapters.ThrottledError{Err: ErrPollMore}
}

func (s *Service) ingestPage(ctx context.Context, ch adapters.Channel, events []adapters.Event) error {
	for _, ev := range events {
		if ev.Poll != nil {
			continue // a pull does not ask for another
		}
		if err := s.Ingest(ctx, ch, ev); err != nil && !errors.Is(err, ErrDuplicate) {
			return err
		}
	}
	return nil
}
