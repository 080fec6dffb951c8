package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// reportReads names the read replica's resolver. Only queries that ask for it (through
// ForReports) go to the replica: every other read, and every write, stays on the
// primary, so an agent always sees what they have just done.
const reportReads = "chatbridge:report-reads"

// useReplica registers a MySQL read replica for ForReports, through gorm's dbresolver.
func (db *DB) useReplica(ctx context.Context, dsn string) error {
	if db.dialect != MySQL {
		return errors.New("store: a read replica needs MySQL as the primary")
	}
	dsn, err := mysqlDSN(dsn)
	if err != nil {
		return fmt.Errorf("store: replica: %w", err)
	}
	resolver := dbresolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{mysql.New(mysql.Config{DSN: dsn})}}, reportReads).
		SetMaxOpenConns(16).SetMaxIdleConns(4).SetConnMaxLifetime(5 * time.Minute)
	if err := db.gorm.Use(resolver); err != nil {
		return fmt.Errorf("store: replica: %w", err)
	}
	db.replica = true
	var one int
	if err := db.ForReports().q(ctx).Raw("SELECT 1 AS one").Scan(&one).Error; err != nil {
		return fmt.Errorf("store: replica does not answer: %w", err)
	}
	return nil
}

// ForReports is the store for long reads that may lag the primary by the replica's
// delay — reports over days and weeks, exports: their reads go to the read replica when
// one is configured (mysql_replica_dsn), else to the primary. Writes made through it
// still go to the primary.
func (db *DB) ForReports() *DB {
	if !db.replica {
		return db
	}
	return &DB{gorm: db.gorm.Clauses(dbresolver.Use(reportReads)).Session(&gorm.Session{}), dialect: db.dialect, log: db.log, replica: true}
}

// HasReplica reports whether reads of ForReports go to a replica.
func (db *DB) HasReplica() bool { return db.replica }
