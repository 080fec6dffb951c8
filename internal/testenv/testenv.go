// Package testenv gives tests the real services they run against: a fresh MySQL
// database (created and dropped per call) or SQLite file, and a Redis database of
// their own. Set CHATBRIDGE_TEST_MYSQL_DSN / CHATBRIDGE_TEST_REDIS_ADDR to point
// elsewhere than the local defaults.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/store"
)

// MySQLServerDSN is the DSN of the test MySQL server, without a database name.
func MySQLServerDSN() string {
	if v := os.Getenv("CHATBRIDGE_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// RedisAddr is the address of the test Redis server.
func RedisAddr() string {
	if v := os.Getenv("CHATBRIDGE_TEST_REDIS_ADDR"); v != "" {
		return v
	}
	return "127.0.0.1:6379"
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

// callerPackage names the test package for database names, so a left-over database
// says where it came from.
func callerPackage() string {
	_, file, _, ok := runtime.Caller(2)
	if !ok {
		return "test"
	}
	name := unsafeName.ReplaceAllString(strings.ToLower(filepath.Base(filepath.Dir(file))), "_")
	if len(name) > 20 {
		name = name[:20]
	}
	return name
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MySQLDSN creates an empty database of its own on the test server, drops it when the
// test ends, and returns a DSN for it.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	return createMySQLDatabase(t, callerPackage())
}

func createMySQLDatabase(t testing.TB, pkg string) string {
	t.Helper()
	cfg, err := mysqldriver.ParseDSN(MySQLServerDSN())
	if err != nil {
		t.Fatalf("testenv: CHATBRIDGE_TEST_MYSQL_DSN: %v", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("testenv: open mysql: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	name := fmt.Sprintf("cbt_%s_%s", pkg, randomSuffix())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("testenv: create database %s (is MariaDB running on %s?): %v", name, cfg.Addr, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// MySQL opens a migrated store on a fresh database of the test MySQL server.
func MySQL(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{MySQLDSN: createMySQLDatabase(t, callerPackage())})
}

// SQLite opens a migrated store in a file under the test's temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{SQLitePath: filepath.Join(t.TempDir(), "chatbridge.db")})
}

func open(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("testenv: open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	return db
}

// Stores runs fn as a subtest on each engine: MySQL first, then the embedded SQLite.
func Stores(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	pkg := callerPackage()
	t.Run("mysql", func(t *testing.T) {
		fn(t, open(t, store.Options{MySQLDSN: createMySQLDatabase(t, pkg)}))
	})
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
}

// redisDatabases asks the server how many logical databases it has (16 by default);
// database 0 is left alone.
func redisDatabases(ctx context.Context, c *redis.Client) int {
	v, err := c.ConfigGet(ctx, "databases").Result()
	if err != nil {
		return 16
	}
	n, err := strconv.Atoi(v["databases"])
	if err != nil || n < 2 {
		return 16
	}
	return n
}

// Redis reserves a logical Redis database for the test (so packages running in
// parallel never share asynq queues), flushes it, and releases it at the end.
func Redis(t testing.TB) *redis.Options {
	t.Helper()
	ctx := context.Background()
	ctl := redis.NewClient(&redis.Options{Addr: RedisAddr()})
	t.Cleanup(func() { _ = ctl.Close() })
	deadline := time.Now().Add(2 * time.Minute)
	dbs := redisDatabases(ctx, ctl)
	for {
		for n := 1; n < dbs; n++ {
			key := fmt.Sprintf("chatbridge:test:redis-db:%d", n)
			ok, err := ctl.SetNX(ctx, key, callerPackage(), 10*time.Minute).Result()
			if err != nil {
				t.Fatalf("testenv: redis at %s: %v", RedisAddr(), err)
			}
			if !ok {
				continue
			}
			opts := &redis.Options{Addr: RedisAddr(), DB: n}
			c := redis.NewClient(opts)
			if err := c.FlushDB(ctx).Err(); err != nil {
				t.Fatalf("testenv: flush redis db %d: %v", n, err)
			}
			_ = c.Close()
			t.Cleanup(func() {
				c := redis.NewClient(opts)
				_ = c.FlushDB(context.Background()).Err()
				_ = c.Close()
				_ = ctl.Del(context.Background(), key).Err()
			})
			return opts
		}
		if time.Now().After(deadline) {
			t.Fatal("testenv: no free Redis database for two minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
