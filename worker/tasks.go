// Package worker runs ChatBridge's background tasks on asynq: the task types and their
// payloads, the client that queues them, the handlers, and the server that runs them.
package worker

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Task types.
const (
	// TypeSendMessage delivers one outbound reply through its channel.
	TypeSendMessage = "message:send"
	// TypeSyncOrderNote writes one order-note change back to its marketplace.
	TypeSyncOrderNote = "order:note-sync"
	// TypePollChannel pulls what a channel's platform holds (WeCom customer service after
	// a callback; marketplaces on a timer).
	TypePollChannel = "channel:poll"
)

// Queues, by priority.
const (
	QueueOutbound = "outbound"
	QueueDefault  = "default"
)

// SendMessagePayload names the message to deliver.
type SendMessagePayload struct {
	MessageID uint64 `json:"message_id"`
}

// NewSendMessageTask builds the delivery task of a message. Its task id is the message
// id, so queueing it again while it is queued, running or retrying does nothing.
func NewSendMessageTask(messageID uint64, maxRetry int) (*asynq.Task, error) {
	payload, err := json.Marshal(SendMessagePayload{MessageID: messageID})
	if err != nil {
		return nil, fmt.Errorf("worker: encode send payload: %w", err)
	}
	return asynq.NewTask(TypeSendMessage, payload,
		asynq.TaskID("send:"+strconv.FormatUint(messageID, 10)),
		asynq.Queue(QueueOutbound),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(30*time.Second),
	), nil
}

// Client queues tasks.
type Client struct {
	asynq    *asynq.Client
	maxRetry int
}

// NewClient wraps an asynq client; maxRetry is the number of delivery retries.
func NewClient(c *asynq.Client, maxRetry int) *Client {
	return &Client{asynq: c, maxRetry: maxRetry}
}

// EnqueueSend queues a message's delivery; a delivery already queued is not doubled.
func (c *Client) EnqueueSend(ctx context.Context, messageID uint64) error {
	task, err := NewSendMessageTask(messageID, c.maxRetry)
	if err != nil {
		return err
	}
	_, err = c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue delivery of message %d: %w", messageID, err)
	}
	return nil
}

// SyncOrderNotePayload names the note change to write back.
type SyncOrderNotePayload struct {
	NoteID uint64 `json:"note_id"`
}

// EnqueueNoteSync queues the write-back of a note change (once per change).
func (c *Client) EnqueueNoteSync(ctx context.Context, noteID uint64) error {
	payload, err := json.Marshal(SyncOrderNotePayload{NoteID: noteID})
	if err != nil {
		return fmt.Errorf("worker: encode note payload: %w", err)
	}
	task := asynq.NewTask(TypeSyncOrderNote, payload,
		asynq.TaskID("order-note:"+strconv.FormatUint(noteID, 10)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(c.maxRetry), asynq.Timeout(30*time.Second))
	_, err = c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue write-back of note %d: %w", noteID, err)
	}
	return nil
}

// PollChannelPayload names the channel to pull and the hint its callback gave.
type PollChannelPayload struct {
	ChannelID uint64 `json:"channel_id"`
	Hint      string `json:"hint,omitempty"`
}

// EnqueuePoll queues a pull of a channel after its platform said something is waiting.
// The task id carries the hint, so a callback delivered twice queues one pull, while
// each new callback queues its own (pulls of one channel run one at a time).
func (c *Client) EnqueuePoll(ctx context.Context, channelID uint64, hint string) error {
	sum := sha256.Sum256([]byte(hint))
	id := fmt.Sprintf("poll:%d:%x", channelID, sum[:8])
	return c.enqueuePoll(ctx, PollChannelPayload{ChannelID: channelID, Hint: hint}, id, time.Hour)
}

// EnqueuePollNow queues a pull a user asked for ("Sync now"). Each request gets a
// task id of its own, so a pull finished a moment ago (whose id asynq keeps for its
// retention) does not swallow it; pulls of one channel still run one at a time.
func (c *Client) EnqueuePollNow(ctx context.Context, channelID uint64) error {
	nonce := make([]byte, 8)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("worker: pull id: %w", err)
	}
	id := fmt.Sprintf("poll:%d:now:%x", channelID, nonce)
	return c.enqueuePoll(ctx, PollChannelPayload{ChannelID: channelID}, id, time.Minute)
}

// EnqueueScheduledPoll queues the timed pull of a channel for the period that starts at
// slot; every worker process may ask, and the period's task id keeps it to one.
func (c *Client) EnqueueScheduledPoll(ctx context.Context, channelID uint64, slot time.Time, every time.Duration) error {
	id := fmt.Sprintf("poll:%d:at:%d", channelID, slot.Unix())
	return c.enqueuePoll(ctx, PollChannelPayload{ChannelID: channelID}, id, every)
}

func (c *Client) enqueuePoll(ctx context.Context, p PollChannelPayload, id string, retention time.Duration) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("worker: encode poll payload: %w", err)
	}
	task := asynq.NewTask(TypePollChannel, payload, asynq.TaskID(id), asynq.Queue(QueueDefault),
		asynq.MaxRetry(c.maxRetry), asynq.Timeout(10*time.Minute), asynq.Retention(retention))
	_, err = c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue pull of channel %d: %w", p.ChannelID, err)
	}
	return nil
}
