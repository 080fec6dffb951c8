// Package store keeps ChatBridge's data in MySQL (production) or in an embedded SQLite
// file (the single-machine default). Everything above this package runs the same code on
// both: only Open and the migration files know which one is underneath.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine under the store.
type Dialect string

// Supported engines.
const (
	MySQL  Dialect = "mysql"
	SQLite Dialect = "sqlite"
)

// ErrNotFound is returned when a looked-up record does not exist (or belongs to another shop).
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a unique key already holds the record.
var ErrDuplicate = errors.New("duplicate")

// Options selects the engine: MySQLDSN when set, else the SQLite file at SQLitePath.
type Options struct {
	MySQLDSN   string
	SQLitePath string
	Logger     *slog.Logger
	// ReplicaDSN, with MySQLDSN, is a read replica that ForReports sends its reads to.
	ReplicaDSN string
	// Now stamps created_at and updated_at; nil is the wall clock. Tests set it to move
	// time forward without waiting (reminders, answer windows, report days).
	Now func() time.Time
}

// DB is the handle every query method hangs off; inside Tx it is bound to the transaction.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	log     *slog.Logger
	replica bool // a read replica is registered (see ForReports)
}

// Open connects to the configured engine and checks that it answers.
func Open(ctx context.Context, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return now().UTC() },
		Logger: logger.NewSlogLogger(log, logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
		}),
	}
	var (
		g       *gorm.DB
		err     error
		dialect Dialect
	)
	if opts.MySQLDSN != "" {
		dialect = MySQL
		g, err = openMySQL(opts.MySQLDSN, cfg)
	} else {
		dialect = SQLite
		g, err = openSQLite(opts.SQLitePath, cfg)
	}
	if err != nil {
		return nil, err
	}
	db := &DB{gorm: g, dialect: dialect, log: log}
	if opts.ReplicaDSN != "" {
		if err := db.useReplica(ctx, opts.ReplicaDSN); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// mysqlDSN normalises a MySQL DSN: utf8mb4, times parsed as UTC.
func mysqlDSN(dsn string) (string, error) {
	mc, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("store: parse mysql dsn: %w", err)
	}
	mc.ParseTime = true
	mc.Loc = time.UTC
	if err := mc.Apply(mysqldriver.Charset("utf8mb4", "utf8mb4_unicode_ci")); err != nil {
		return "", fmt.Errorf("store: mysql charset: %w", err)
	}
	return mc.FormatDSN(), nil
}

func openMySQL(dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	dsn, err := mysqlDSN(dsn)
	if err != nil {
		return nil, err
	}
	g, err := gorm.Open(mysql.New(mysql.Config{DSN: dsn}), cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open mysql: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("store: mysql pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(64)
	sqlDB.SetMaxIdleConns(32)
	sqlDB.SetConnMaxLifetime(5 * time.Minute)
	return g, nil
}

func openSQLite(path string, cfg *gorm.Config) (*gorm.DB, error) {
	if path == "" {
		return nil, errors.New("store: neither a MySQL DSN nor an SQLite path is set")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	g, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("store: sqlite pool: %w", err)
	}
	// SQLite has one writer; a single connection serialises transactions instead of
	// failing them with SQLITE_BUSY.
	sqlDB.SetMaxOpenConns(1)
	return g, nil
}

// Dialect tells which engine is underneath.
func (db *DB) Dialect() Dialect { return db.dialect }

// Gorm exposes the underlying handle for packages that build their own queries.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Ping checks that the engine answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.dialect, err)
	}
	return nil
}

// Close releases the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
// On MySQL the transaction reads committed data (so a key another transaction has just
// inserted is visible after the unique index turned ours away) and is run again when
// the server picks it as a deadlock victim: fn must be safe to run more than once.
func (db *DB) Tx(ctx context.Context, fn func(tx *DB) error) error {
	var opts []*sql.TxOptions
	if db.dialect == MySQL {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			return fn(&DB{gorm: g, dialect: db.dialect, log: db.log})
		}, opts...)
		if !isRetryable(err) {
			return err
		}
		db.log.Warn("transaction retried", "attempt", attempt+1, "err", err)
	}
	return err
}

// isRetryable reports MySQL's deadlock (1213) and lock wait timeout (1205).
func isRetryable(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// forUpdate locks the rows a query reads on MySQL; SQLite has a single writer already.
func (db *DB) forUpdate(q *gorm.DB) *gorm.DB {
	if db.dialect == MySQL {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

func (db *DB) q(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// Migrate brings the schema to the newest version. On MySQL a lock table keeps two
// processes that start together from migrating at once.
func (db *DB) Migrate(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	dir := "migrations/" + string(db.dialect)
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrations %s: %w", dir, err)
	}
	opts := []goose.ProviderOption{goose.WithSlog(db.log)}
	gooseDialect := goose.DialectSQLite3
	if db.dialect == MySQL {
		gooseDialect = goose.DialectMySQL
		locker, err := lock.NewMySQLTableLocker(
			lock.WithTableLockTimeout(time.Second, 300),
			lock.WithTableLogger(db.log),
		)
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	provider, err := goose.NewProvider(gooseDialect, sqlDB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	for _, r := range results {
		db.log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func isDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
