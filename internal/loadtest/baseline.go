package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// BaselineOptions say how to measure the database's own commit rate.
type BaselineOptions struct {
	DSN         string
	Concurrency int
	Duration    time.Duration
	Interval    time.Duration
}

// BaselineReport is what plain single-row inserts achieved.
type BaselineReport struct {
	Table       string           `json:"table"`
	StartedAt   time.Time        `json:"started_at"`
	Concurrency int              `json:"concurrency"`
	Elapsed     float64          `json:"elapsed_s"`
	Inserts     int64            `json:"inserts"`
	PerSecond   float64          `json:"inserts_per_s"`
	Errors      map[string]int64 `json:"errors,omitempty"`
	Latency     Summary          `json:"latency"`
	Percentiles []Quantile       `json:"percentiles"`
	Timeline    []Point          `json:"timeline"`
}

// baselineTable is a message-sized row with a primary key and one unique key: the
// least a stored chat message costs, with none of ChatBridge's work around it.
const baselineTable = `CREATE TABLE %s (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(191) NOT NULL,
  text MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_external (external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

// RunBaseline measures what the MySQL server commits as plain single-row inserts
// (autocommit: one durable commit each) with Concurrency connections for Duration: the
// ceiling any per-message durable design on that server sits under. It works in a
// scratch table of its own, dropped at the end.
func RunBaseline(ctx context.Context, o BaselineOptions) (*BaselineReport, error) {
	if o.DSN == "" {
		return nil, errors.New("baseline: a MySQL DSN is required")
	}
	cfg, err := mysqldriver.ParseDSN(o.DSN)
	if err != nil {
		return nil, fmt.Errorf("baseline: MySQL DSN: %w", err)
	}
	cfg.ParseTime = true
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("baseline: open: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(o.Concurrency)
	db.SetMaxIdleConns(o.Concurrency)
	table := "loadtest_baseline_" + randomHex(4)
	if _, err := db.ExecContext(ctx, fmt.Sprintf(baselineTable, table)); err != nil {
		return nil, fmt.Errorf("baseline: create scratch table: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(dctx, "DROP TABLE "+table)
	}()
	insert := "INSERT INTO " + table + " (external_id, text, created_at) VALUES (?, ?, ?)"
	text := strings.Repeat("这款保温杯有粉色的吗? ", 3)
	start := time.Now()
	lat := NewLatency(start, o.Interval)
	errs := &Counter{}
	var ok atomic.Int64
	RunClosed(ctx, nil, o.Concurrency, o.Duration, func(ctx context.Context, i int64, due time.Time) {
		_, err := db.ExecContext(ctx, insert, fmt.Sprintf("b-%d", i), text, due.UTC())
		if err != nil {
			if ctx.Err() == nil {
				errs.Add(err.Error())
			}
			return
		}
		ok.Add(1)
		lat.Record(due, time.Since(due))
	})
	elapsed := time.Since(start).Seconds()
	return &BaselineReport{
		Table: table, StartedAt: start.UTC(), Concurrency: o.Concurrency, Elapsed: elapsed, Inserts: ok.Load(),
		PerSecond: float64(ok.Load()) / elapsed, Errors: errs.Snapshot(),
		Latency: lat.Summary(), Percentiles: lat.Percentiles(), Timeline: lat.Timeline(),
	}, nil
}
