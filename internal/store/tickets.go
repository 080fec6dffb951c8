package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/models"
)

// TicketRow is a ticket with its buyer and its owner's name, as lists show it.
type TicketRow struct {
	models.Ticket
	CustomerExternalID string
	CustomerName       string
	OwnerName          string
}

const ticketRowSelect = "tickets.*, cu.external_id AS customer_external_id, cu.name AS customer_name, " +
	"COALESCE(NULLIF(u.display_name, ''), u.username, '') AS owner_name"

func (db *DB) ticketRows(ctx context.Context) *gorm.DB {
	return db.q(ctx).Table("tickets").Select(ticketRowSelect).
		Joins("JOIN conversations cv ON cv.id = tickets.conversation_id").
		Joins("JOIN customers cu ON cu.id = cv.customer_id").
		Joins("LEFT JOIN users u ON u.id = tickets.owner_id")
}

// InsertTicket stores a new ticket.
func (db *DB) InsertTicket(ctx context.Context, t *models.Ticket) error {
	if err := db.q(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("store: insert ticket of conversation %d: %w", t.ConversationID, err)
	}
	return nil
}

// Ticket finds a ticket of a shop (any shop when shopID is 0).
func (db *DB) Ticket(ctx context.Context, shopID, id uint64) (*TicketRow, error) {
	var row TicketRow
	q := db.ticketRows(ctx).Where("tickets.id = ?", id)
	if shopID != 0 {
		q = q.Where("tickets.shop_id = ?", shopID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: ticket %d: %w", id, notFound(err))
	}
	return &row, nil
}

// LockTicket reads a ticket locked for update until the transaction ends.
func (db *DB) LockTicket(ctx context.Context, id uint64) (*models.Ticket, error) {
	var t models.Ticket
	if err := db.forUpdate(db.q(ctx)).Where("id = ?", id).Take(&t).Error; err != nil {
		return nil, fmt.Errorf("store: ticket %d: %w", id, notFound(err))
	}
	return &t, nil
}

// UpdateTicket writes the given columns of a ticket.
func (db *DB) UpdateTicket(ctx context.Context, id uint64, updates map[string]any) error {
	if err := db.q(ctx).Model(&models.Ticket{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: update ticket %d: %w", id, err)
	}
	return nil
}

// TicketFilter selects tickets for a list.
type TicketFilter struct {
	ShopID         uint64 // 0: every shop (admins)
	ConversationID uint64
	// Status is open (soonest due first) or closed (latest closed first); "" lists
	// every ticket, open ones first.
	Status  models.TicketStatus
	OwnerID *uint64
	// OverdueAt, when set, keeps the open tickets due before it.
	OverdueAt *time.Time
	Cursor    string
	Limit     int
}

// ListTickets returns a page of tickets and the cursor of the next page ("" at the end).
func (db *DB) ListTickets(ctx context.Context, f TicketFilter) ([]TicketRow, string, error) {
	q := db.ticketRows(ctx)
	if f.ShopID != 0 {
		q = q.Where("tickets.shop_id = ?", f.ShopID)
	}
	if f.ConversationID != 0 {
		q = q.Where("tickets.conversation_id = ?", f.ConversationID)
	}
	if f.OwnerID != nil {
		q = q.Where("tickets.owner_id = ?", *f.OwnerID)
	}
	if f.OverdueAt != nil {
		q = q.Where("tickets.status = ? AND tickets.due_at < ?", models.TicketOpen, *f.OverdueAt)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	var key func(*TicketRow) time.Time
	switch f.Status {
	case models.TicketClosed:
		q = q.Where("tickets.status = ?", models.TicketClosed)
		if f.Cursor != "" {
			at, id, err := decodeCursor(f.Cursor)
			if err != nil {
				return nil, "", err
			}
			q = q.Where("(tickets.closed_at < ? OR (tickets.closed_at = ? AND tickets.id < ?))", at, at, id)
		}
		q = q.Order("tickets.closed_at DESC, tickets.id DESC")
		key = func(r *TicketRow) time.Time { return *r.ClosedAt }
	case models.TicketOpen:
		q = q.Where("tickets.status = ?", models.TicketOpen)
		if f.Cursor != "" {
			at, id, err := decodeCursor(f.Cursor)
			if err != nil {
				return nil, "", err
			}
			q = q.Where("(tickets.due_at > ? OR (tickets.due_at = ? AND tickets.id > ?))", at, at, id)
		}
		q = q.Order("tickets.due_at ASC, tickets.id ASC")
		key = func(r *TicketRow) time.Time { return r.DueAt }
	default:
		// Every ticket of a chat (the sidebar): few, so one page.
		q = q.Order("CASE WHEN tickets.status = 'open' THEN 0 ELSE 1 END, tickets.due_at ASC, tickets.id ASC")
		limit = 200
	}
	var rows []TicketRow
	if err := q.Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("store: list tickets: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		if key != nil {
			last := &rows[limit-1]
			next = encodeCursor(key(last), last.ID)
		}
	}
	return rows, next, nil
}

// TicketsToRemind lists open tickets whose "coming due" reminder is due at now and has
// not gone out.
func (db *DB) TicketsToRemind(ctx context.Context, now time.Time, limit int) ([]models.Ticket, error) {
	var ts []models.Ticket
	err := db.q(ctx).Where("status = ? AND due_reminded_at IS NULL AND remind_at <= ?", models.TicketOpen, now).
		Order("remind_at, id").Limit(limit).Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("store: tickets to remind: %w", err)
	}
	return ts, nil
}

// TicketsOverdue lists open tickets past their due time whose overdue reminder has not
// gone out.
func (db *DB) TicketsOverdue(ctx context.Context, now time.Time, limit int) ([]models.Ticket, error) {
	var ts []models.Ticket
	err := db.q(ctx).Where("status = ? AND overdue_reminded_at IS NULL AND due_at <= ?", models.TicketOpen, now).
		Order("due_at, id").Limit(limit).Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("store: overdue tickets: %w", err)
	}
	return ts, nil
}

// Ticket reminders.
const (
	ReminderDue     = "due_reminded_at"
	ReminderOverdue = "overdue_reminded_at"
)

// MarkTicketReminded records that a reminder (ReminderDue or ReminderOverdue) of an
// open ticket went out; it answers false when another process recorded it first or
// the ticket was closed or rescheduled (dueAt no longer its due time).
func (db *DB) MarkTicketReminded(ctx context.Context, id uint64, reminder string, dueAt, at time.Time) (bool, error) {
	if reminder != ReminderDue && reminder != ReminderOverdue {
		return false, fmt.Errorf("store: unknown ticket reminder %q", reminder)
	}
	res := db.q(ctx).Model(&models.Ticket{}).
		Where("id = ? AND status = ? AND due_at = ? AND "+reminder+" IS NULL", id, models.TicketOpen, dueAt).
		Update(reminder, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: mark reminder of ticket %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CloseTicket closes an open ticket; false when it was closed already.
func (db *DB) CloseTicket(ctx context.Context, id uint64, updates map[string]any) (bool, error) {
	updates["status"] = models.TicketClosed
	res := db.q(ctx).Model(&models.Ticket{}).Where("id = ? AND status = ?", id, models.TicketOpen).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("store: close ticket %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
