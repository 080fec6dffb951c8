// Package worker runs ChatBridge's background tasks on asynq: the task types and their
// payloads, the client that queues them, the handlers, and the server that runs them.
package worker

import (
	"context"
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
