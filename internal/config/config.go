// Package config loads ChatBridge's settings: a YAML file (see configs/chatbridge.example.yaml)
// overridden by CHATBRIDGE_* environment variables, then validated so that a wrong value
// stops start-up with a message naming its key.
package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment variable ChatBridge reads.
const EnvPrefix = "CHATBRIDGE_"

// Config is every setting of a ChatBridge process.
type Config struct {
	HTTPAddr string `yaml:"http_addr" env:"HTTP_ADDR"`
	BaseURL  string `yaml:"base_url" env:"BASE_URL"`

	MySQLDSN      string `yaml:"mysql_dsn" env:"MYSQL_DSN"`
	RedisAddr     string `yaml:"redis_addr" env:"REDIS_ADDR"`
	RedisPassword string `yaml:"redis_password" env:"REDIS_PASSWORD"`
	RedisDB       int    `yaml:"redis_db" env:"REDIS_DB"`
	DataDir       string `yaml:"data_dir" env:"DATA_DIR"`

	SecretKey     string        `yaml:"secret_key" env:"SECRET_KEY"`
	AdminUser     string        `yaml:"admin_user" env:"ADMIN_USER"`
	AdminPassword string        `yaml:"admin_password" env:"ADMIN_PASSWORD"`
	SessionTTL    time.Duration `yaml:"session_ttl" env:"SESSION_TTL"`
	CookieSecure  bool          `yaml:"cookie_secure" env:"COOKIE_SECURE"`
	LoginFailures int           `yaml:"login_max_failures" env:"LOGIN_MAX_FAILURES"`
	LoginWindow   time.Duration `yaml:"login_window" env:"LOGIN_WINDOW"`

	LogLevel  string `yaml:"log_level" env:"LOG_LEVEL"`
	LogFormat string `yaml:"log_format" env:"LOG_FORMAT"`

	WorkerConcurrency int           `yaml:"worker_concurrency" env:"WORKER_CONCURRENCY"`
	OutboundMaxRetry  int           `yaml:"outbound_max_retry" env:"OUTBOUND_MAX_RETRY"`
	OutboundRetryBase time.Duration `yaml:"outbound_retry_base" env:"OUTBOUND_RETRY_BASE"`
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`
	// PresenceSweepEvery is how often agents whose session dropped are looked for; 0 turns
	// the sweep off.
	PresenceSweepEvery time.Duration `yaml:"presence_sweep_every" env:"PRESENCE_SWEEP_EVERY"`

	// Media: images buyers and agents send. Stored in a local folder (media_dir, default
	// data_dir/media) or in S3-compatible object storage (media_storage: s3).
	MediaStorage     string        `yaml:"media_storage" env:"MEDIA_STORAGE"`
	MediaDir         string        `yaml:"media_dir" env:"MEDIA_DIR"`
	MediaMaxBytes    int64         `yaml:"media_max_bytes" env:"MEDIA_MAX_BYTES"`
	MediaURLTTL      time.Duration `yaml:"media_url_ttl" env:"MEDIA_URL_TTL"`
	MediaS3Endpoint  string        `yaml:"media_s3_endpoint" env:"MEDIA_S3_ENDPOINT"`
	MediaS3Region    string        `yaml:"media_s3_region" env:"MEDIA_S3_REGION"`
	MediaS3Bucket    string        `yaml:"media_s3_bucket" env:"MEDIA_S3_BUCKET"`
	MediaS3AccessKey string        `yaml:"media_s3_access_key" env:"MEDIA_S3_ACCESS_KEY"`
	MediaS3SecretKey string        `yaml:"media_s3_secret_key" env:"MEDIA_S3_SECRET_KEY"`
	MediaS3PathStyle bool          `yaml:"media_s3_path_style" env:"MEDIA_S3_PATH_STYLE"`

	// LogisticsSweepInterval is how often the parcels due for a check are swept.
	LogisticsSweepInterval time.Duration `yaml:"logistics_sweep_interval" env:"LOGISTICS_SWEEP_INTERVAL"`
}

// Default is the configuration of a fresh machine: the embedded single-machine store.
func Default() Config {
	return Config{
		HTTPAddr:           ":8080",
		DataDir:            "data",
		AdminUser:          "admin",
		SessionTTL:         7 * 24 * time.Hour,
		LoginFailures:      5,
		LoginWindow:        15 * time.Minute,
		LogLevel:           "info",
		LogFormat:          "json",
		WorkerConcurrency:  20,
		OutboundMaxRetry:   8,
		OutboundRetryBase:  time.Second,
		PresenceSweepEvery: 15 * time.Second,
		ShutdownTimeout:    20 * time.Second,
		MediaStorage:       "local",
		MediaMaxBytes:      20 << 20,
		MediaURLTTL:        24 * time.Hour,

		LogisticsSweepInterval: time.Minute,
	}
}

// Embedded reports whether no external MySQL or Redis is configured, so the process
// runs on the embedded SQLite file and in-process Redis.
func (c Config) Embedded() bool { return c.MySQLDSN == "" && c.RedisAddr == "" }

// Load reads the YAML file at path (skipped when path is ""), then the environment
// (environ as os.Environ returns it), and validates the result.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	err := env.ParseWithOptions(&cfg, env.Options{Prefix: EnvPrefix, Environment: envMap(environ)})
	if err != nil {
		return cfg, envError(err)
	}
	return cfg, cfg.Validate()
}

// envError turns the environment parser's complaint about a struct field into one
// about the variable the user set.
func envError(err error) error {
	var pe env.ParseError
	if errors.As(err, &pe) {
		if f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name); ok {
			return &KeyError{Key: f.Tag.Get("yaml"), Reason: pe.Err.Error()}
		}
	}
	return fmt.Errorf("config: %w", err)
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// KeyError names the setting that is wrong, both as a file key and a variable.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("config: %s%s (%s in the config file): %s", EnvPrefix, strings.ToUpper(e.Key), e.Key, e.Reason)
}

// Validate checks every setting and reports the first wrong one.
func (c Config) Validate() error {
	checks := []struct {
		key    string
		reason string
		bad    bool
	}{
		{"http_addr", "must be host:port, e.g. :8080", !validAddr(c.HTTPAddr)},
		{"base_url", "must be an absolute http(s) URL", c.BaseURL != "" && !validURL(c.BaseURL)},
		{"redis_addr", "must be host:port", c.RedisAddr != "" && !validAddr(c.RedisAddr)},
		{"redis_db", "must be between 0 and 15", c.RedisDB < 0 || c.RedisDB > 15},
		{"mysql_dsn", "is set without redis_addr: production needs both, the embedded default neither", c.MySQLDSN != "" && c.RedisAddr == ""},
		{"data_dir", "must not be empty", c.DataDir == ""},
		{"secret_key", "must be the base64 of 32 random bytes (openssl rand -base64 32)", c.SecretKey != "" && !validKey(c.SecretKey)},
		{"admin_user", "must not be empty", c.AdminUser == ""},
		{"admin_password", "must be at least 8 characters", c.AdminPassword != "" && len(c.AdminPassword) < 8},
		{"session_ttl", "must be positive", c.SessionTTL <= 0},
		{"login_max_failures", "must be at least 1", c.LoginFailures < 1},
		{"login_window", "must be positive", c.LoginWindow <= 0},
		{"log_level", "must be debug, info, warn or error", !oneOf(c.LogLevel, "debug", "info", "warn", "error")},
		{"log_format", "must be json or text", !oneOf(c.LogFormat, "json", "text")},
		{"worker_concurrency", "must be at least 1", c.WorkerConcurrency < 1},
		{"outbound_max_retry", "must be between 0 and 100", c.OutboundMaxRetry < 0 || c.OutboundMaxRetry > 100},
		{"outbound_retry_base", "must be positive", c.OutboundRetryBase <= 0},
		{"presence_sweep_every", "must be 0 (off) or at least 1s", c.PresenceSweepEvery != 0 && c.PresenceSweepEvery < time.Second},
		{"shutdown_timeout", "must be positive", c.ShutdownTimeout <= 0},
		{"media_storage", "must be local or s3", !oneOf(c.MediaStorage, "local", "s3")},
		{"media_max_bytes", "must be between 1024 and 1073741824 (1 KiB to 1 GiB)", c.MediaMaxBytes < 1<<10 || c.MediaMaxBytes > 1<<30},
		{"media_url_ttl", "must be between 1m and 168h", c.MediaURLTTL < time.Minute || c.MediaURLTTL > 7*24*time.Hour},
		{"media_s3_endpoint", "must be the http(s) URL of the S3 service (media_storage is s3)", c.MediaStorage == "s3" && !validURL(c.MediaS3Endpoint)},
		{"media_s3_bucket", "is required when media_storage is s3", c.MediaStorage == "s3" && c.MediaS3Bucket == ""},
		{"media_s3_access_key", "is required when media_storage is s3", c.MediaStorage == "s3" && c.MediaS3AccessKey == ""},
		{"media_s3_secret_key", "is required when media_storage is s3", c.MediaStorage == "s3" && c.MediaS3SecretKey == ""},
		{"logistics_sweep_interval", "must be positive", c.LogisticsSweepInterval <= 0},
	}
	for _, ch := range checks {
		if ch.bad {
			return &KeyError{Key: ch.key, Reason: ch.reason}
		}
	}
	return nil
}

func validAddr(s string) bool {
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validKey(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// MediaFolder is where local media storage keeps files: media_dir, else data_dir/media.
func (c Config) MediaFolder() string {
	if c.MediaDir != "" {
		return c.MediaDir
	}
	return filepath.Join(c.DataDir, "media")
}

// Keys lists every setting's file key, for documentation and tests.
func Keys() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		keys = append(keys, t.Field(i).Tag.Get("yaml"))
	}
	return keys
}
