package tickets

import (
	"context"
	"errors"
	"fmt"

	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// sweepBatch bounds the tickets one sweep reminds per kind; the next sweep takes the rest.
const sweepBatch = 500

// Sweep sends the reminders due at the service's clock; the worker runs it on a timer.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.Remind(ctx, s.Now())
	return err
}

// Remind sends every reminder due at now, each once however many processes sweep at
// the same time: the owner is told when a ticket comes due (the shop's lead before its
// due time) and again once it is overdue. A ticket first seen already overdue gets the
// overdue reminder only. It answers the number of reminders sent.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	sent := 0
	overdue, err := s.db.TicketsOverdue(ctx, now, sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("tickets: reminders: %w", err)
	}
	var errs []error
	for i := range overdue {
		ok, err := s.remind(ctx, &overdue[i], store.ReminderOverdue, now)
		if ok {
			sent++
		}
		errs = append(errs, err)
	}
	coming, err := s.db.TicketsToRemind(ctx, now, sweepBatch)
	if err != nil {
		return sent, fmt.Errorf("tickets: reminders: %w", err)
	}
	for i := range coming {
		ok, err := s.remind(ctx, &coming[i], store.ReminderDue, now)
		if ok {
			sent++
		}
		errs = append(errs, err)
	}
	return sent, errors.Join(errs...)
}

// remind records one reminder of a ticket and raises its alert in one transaction; the
// process whose record lands first sends it. A coming-due reminder of a ticket already
// overdue is recorded without an alert.
func (s *Service) remind(ctx context.Context, t *models.Ticket, reminder string, now time.Time) (bool, error) {
	rules, err := s.rules(ctx, t.ShopID)
	if err != nil {
		return false, err
	}
	var alert *models.Alert
	err = s.db.Tx(ctx, func(tx *store.DB) error {
		alert = nil
		won, err := tx.MarkTicketReminded(ctx, t.ID, reminder, t.DueAt, now)
		if err != nil || !won {
			return err
		}
		when := localTime(t.DueAt, rules.Location())
		switch {
		case reminder == store.ReminderOverdue:
			alert = ticketAlert(t, AlertOverdue, fmt.Sprintf("ticket:%d:overdue:%d", t.ID, t.DueAt.Unix()),
				fmt.Sprintf("工单「%s」已超时（应于 %s 完成）", t.Title, when))
		case t.DueAt.After(now):
			alert = ticketAlert(t, AlertDue, fmt.Sprintf("ticket:%d:due:%d", t.ID, t.DueAt.Unix()),
				fmt.Sprintf("工单「%s」将于 %s 到期", t.Title, when))
		default:
			return nil // overdue already: the overdue reminder says it
		}
		created, err := s.alerts.Raise(ctx, tx, alert)
		if !created {
			alert = nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("tickets: remind ticket %d: %w", t.ID, err)
	}
	if alert == nil {
		return false, nil
	}
	s.alerts.Announce(ctx, t.ShopID, alert.ID)
	return true, nil
}
