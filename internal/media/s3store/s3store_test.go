package s3store

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/chatbridge/chatbridge/internal/media/storagetest"
)

// fakeS3 serves the S3 protocol from memory (gofakes3) and records what it was asked.
type fakeS3 struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func newFakeS3(t *testing.T, bucket string) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	f := &fakeS3{}
	handler := gofakes3.New(backend).Server()
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.Host+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		f.mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func TestStorageAgainstS3(t *testing.T) {
	fake := newFakeS3(t, "chatbridge-media")
	s, err := New(Config{Endpoint: fake.URL, Region: "cn-east-1", Bucket: "chatbridge-media",
		AccessKey: "AKIDTEST", SecretKey: "secret-test", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	storagetest.Run(t, s)

	// Every request was signed with AWS Signature V4 for the configured key and region,
	// and addressed the bucket in the path.
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.requests) == 0 {
		t.Fatal("the fake S3 saw no request")
	}
	for _, r := range fake.requests {
		if !strings.Contains(r, " /chatbridge-media/") || !strings.Contains(r, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") ||
			!strings.Contains(r, "/cn-east-1/s3/aws4_request") {
			t.Errorf("request %q: want path-style, signed V4 for AKIDTEST in cn-east-1", r)
		}
	}
}

// A bucket that does not exist is an error at the first use, naming the bucket.
func TestMissingBucket(t *testing.T) {
	fake := newFakeS3(t, "other")
	s, err := New(Config{Endpoint: fake.URL, Bucket: "no-such-bucket", AccessKey: "a", SecretKey: "b", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Put(context.Background(), "k", []byte("x"), "image/png")
	if err == nil || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Fatalf("put into a missing bucket: %v", err)
	}
}

func TestConfigChecks(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no scheme":   {Endpoint: "s3.amazonaws.com", Bucket: "b"},
		"with a path": {Endpoint: "https://s3.amazonaws.com/bucket", Bucket: "b"},
		"no bucket":   {Endpoint: "https://s3.amazonaws.com"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: %+v accepted", name, cfg)
		}
	}
}
