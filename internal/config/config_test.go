package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsEmbeddedAndValid(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Embedded() || cfg.HTTPAddr != ":8080" {
		t.Fatalf("default = %+v, want embedded on :8080", cfg)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chatbridge.yaml")
	if err := os.WriteFile(path, []byte("http_addr: \":9000\"\nsession_ttl: 2h\nlog_level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, []string{"CHATBRIDGE_HTTP_ADDR=127.0.0.1:7000", "CHATBRIDGE_REDIS_ADDR=127.0.0.1:6379", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:7000" || cfg.SessionTTL != 2*time.Hour || cfg.LogLevel != "debug" || cfg.RedisAddr != "127.0.0.1:6379" {
		t.Fatalf("got %+v", cfg)
	}
}

func TestInvalidSettingNamesItsKey(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		environ []string
		want    string
	}{
		{"bad address", "", []string{"CHATBRIDGE_HTTP_ADDR=8080"}, "CHATBRIDGE_HTTP_ADDR"},
		{"bad secret", "", []string{"CHATBRIDGE_SECRET_KEY=short"}, "CHATBRIDGE_SECRET_KEY"},
		{"bad duration", "", []string{"CHATBRIDGE_SESSION_TTL=soon"}, "CHATBRIDGE_SESSION_TTL"},
		{"bad number", "", []string{"CHATBRIDGE_REDIS_DB=x"}, "CHATBRIDGE_REDIS_DB"},
		{"redis db range", "", []string{"CHATBRIDGE_REDIS_DB=42"}, "CHATBRIDGE_REDIS_DB"},
		{"mysql without redis", "", []string{"CHATBRIDGE_MYSQL_DSN=root@tcp(127.0.0.1:3306)/cb"}, "CHATBRIDGE_MYSQL_DSN"},
		{"unknown file key", "htp_addr: x\n", nil, "htp_addr"},
		{"bad log level", "log_level: loud\n", nil, "log_level"},
		{"unknown media storage", "", []string{"CHATBRIDGE_MEDIA_STORAGE=ftp"}, "CHATBRIDGE_MEDIA_STORAGE"},
		{"media limit too small", "", []string{"CHATBRIDGE_MEDIA_MAX_BYTES=10"}, "CHATBRIDGE_MEDIA_MAX_BYTES"},
		{"s3 without endpoint", "", []string{"CHATBRIDGE_MEDIA_STORAGE=s3", "CHATBRIDGE_MEDIA_S3_BUCKET=b"}, "CHATBRIDGE_MEDIA_S3_ENDPOINT"},
		{"s3 without bucket", "", []string{"CHATBRIDGE_MEDIA_STORAGE=s3", "CHATBRIDGE_MEDIA_S3_ENDPOINT=https://s3.example.test"}, "CHATBRIDGE_MEDIA_S3_BUCKET"},
		{"s3 without keys", "", []string{"CHATBRIDGE_MEDIA_STORAGE=s3", "CHATBRIDGE_MEDIA_S3_ENDPOINT=https://s3.example.test",
			"CHATBRIDGE_MEDIA_S3_BUCKET=b"}, "CHATBRIDGE_MEDIA_S3_ACCESS_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(path, tc.environ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestMediaDefaults(t *testing.T) {
	cfg, err := Load("", []string{"CHATBRIDGE_DATA_DIR=/var/lib/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MediaStorage != "local" || cfg.MediaMaxBytes != 20<<20 || cfg.MediaFolder() != filepath.Join("/var/lib/cb", "media") {
		t.Fatalf("media defaults: %s, %d bytes, folder %s", cfg.MediaStorage, cfg.MediaMaxBytes, cfg.MediaFolder())
	}
	cfg, err = Load("", []string{"CHATBRIDGE_MEDIA_STORAGE=s3", "CHATBRIDGE_MEDIA_S3_ENDPOINT=http://minio:9000",
		"CHATBRIDGE_MEDIA_S3_BUCKET=media", "CHATBRIDGE_MEDIA_S3_ACCESS_KEY=a", "CHATBRIDGE_MEDIA_S3_SECRET_KEY=b",
		"CHATBRIDGE_MEDIA_S3_PATH_STYLE=true", "CHATBRIDGE_MEDIA_DIR=/srv/media"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.MediaS3PathStyle || cfg.MediaFolder() != "/srv/media" {
		t.Fatalf("s3 settings: %+v", cfg)
	}
}

// The example file documents every key and loads as it is.
func TestExampleFileCoversEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "chatbridge.example.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range Keys() {
		if !strings.Contains(string(raw), key+":") {
			t.Errorf("configs/chatbridge.example.yaml does not document %q", key)
		}
	}
	if _, err := Load(path, nil); err != nil {
		t.Fatalf("example file does not load: %v", err)
	}
	if !slices.Contains(Keys(), "mysql_dsn") {
		t.Fatal("Keys() misses mysql_dsn")
	}
}
