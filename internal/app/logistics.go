package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/worker"
)

// newLogistics wires parcel tracking with its providers (快递100, AfterShip).
func newLogistics(opts Options, db *store.DB, box *secretbox.Box, alertSvc *alerts.Service,
	shopSettings *settings.Service, tasks *worker.Client, pub *realtime.Publisher, base string, log *slog.Logger) *logistics.Service {
	hc := &http.Client{Timeout: 15 * time.Second}
	return logistics.NewService(logistics.Deps{
		DB: db, Box: box, Providers: []logistics.Provider{kuaidi100.New(hc), aftership.New(hc)},
		Alerts: alertSvc, Settings: shopSettings, Queue: tasks, Pub: pub, BaseURL: base, Now: opts.Now, Log: log,
	})
}
