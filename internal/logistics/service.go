// Package logistics follows the parcels of shipped orders through tracking providers
// (快递100 first, AfterShip for international carriers): it starts tracking when an
// order ships with a tracking number, merges what providers push and answer into one
// timeline per parcel, queries on a schedule that slows down as the parcel ages, and
// turns what happens to a parcel into work for the shop: an alert on the buyer's
// conversation when it stops moving, runs into a problem or comes back; the chat moved
// to after-sale and a follow-up reminder once it is delivered.
package logistics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// AlertRaiser stores alerts inside the caller's transaction and pushes them live after
// the commit (internal/alerts).
type AlertRaiser interface {
	Raise(ctx context.Context, tx *store.DB, a *models.Alert) (created bool, err error)
	Announce(ctx context.Context, shopID, id uint64)
}

// Stager moves a buyer's conversation to the stage their orders give after a carrier
// changed one of them (internal/inbox).
type Stager interface {
	RestageByCarrier(ctx context.Context, tx *store.DB, conv *models.Conversation) (func(context.Context), error)
}

// SettingsReader reads a shop's settings (cached).
type SettingsReader interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// CheckQueue queues the check of one parcel; due identifies the period it is for, so
// asking twice for the same period queues one check.
type CheckQueue interface {
	EnqueueParcelCheck(ctx context.Context, parcelID uint64, due time.Time) error
}

// Publisher sends live events.
type Publisher interface {
	Publish(ctx context.Context, ev realtime.Event) error
}

// EventParcelUpdated is the live event sent when a parcel's state or timeline changed.
const EventParcelUpdated = "parcel.updated"

// Timing of the scheduler, fixed by what the providers allow rather than by shops.
const (
	// lease keeps a parcel out of the sweeps while its check is queued; a check lost
	// with its queue is picked up again after it.
	lease = 15 * time.Minute
	// resubscribeAfter is how long 快递100 asks to wait before subscribing again a
	// parcel whose pushes it aborted.
	resubscribeAfter = 30 * time.Minute
	// sweepPage bounds the parcels one sweep query reads.
	sweepPage = 500
	// sweepPages bounds the queries of one sweep; a larger backlog waits a period.
	sweepPages = 20
)

// Deps are what the service works with.
type Deps struct {
	DB        *store.DB
	Box       *secretbox.Box
	Providers []Provider
	Alerts    AlertRaiser
	Settings  SettingsReader
	Queue     CheckQueue
	Pub       Publisher
	// BaseURL prefixes the push callback URLs given to providers.
	BaseURL string
	// Now is the clock; tests move it.
	Now func() time.Time
	Log *slog.Logger
}

// Service follows parcels.
type Service struct {
	db        *store.DB
	box       *secretbox.Box
	providers map[string]Provider
	alerts    AlertRaiser
	settings  SettingsReader
	queue     CheckQueue
	pub       Publisher
	stages    Stager
	baseURL   string
	now       func() time.Time
	log       *slog.Logger
}

// NewService wires the service. The inbox, which calls it as an order watcher, is given
// afterwards with SetStager.
func NewService(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	s := &Service{db: d.DB, box: d.Box, providers: map[string]Provider{}, alerts: d.Alerts, settings: d.Settings,
		queue: d.Queue, pub: d.Pub, baseURL: d.BaseURL, now: func() time.Time { return now().UTC() }, log: d.Log}
	for _, p := range d.Providers {
		s.providers[p.Name()] = p
	}
	return s
}

// SetStager gives the service the inbox, once, while the application is wired (the
// inbox is built with the service among its order watchers).
func (s *Service) SetStager(st Stager) { s.stages = st }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Provider finds a provider by name.
func (s *Service) Provider(name string) (Provider, bool) {
	p, ok := s.providers[name]
	return p, ok
}

func (s *Service) shopSettings(ctx context.Context, shopID uint64) (models.LogisticsSettings, error) {
	v, err := s.settings.Get(ctx, shopID)
	if err != nil {
		return v.Logistics, fmt.Errorf("logistics: settings of shop %d: %w", shopID, err)
	}
	return v.Logistics, nil
}
