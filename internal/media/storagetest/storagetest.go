// Package storagetest is the behaviour every media storage shares, run by each
// implementation's own test against the real thing (a temp folder, an S3-speaking
// server).
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"testing"

	"github.com/chatbridge/chatbridge/internal/media"
)

// Run checks s: bytes come back as stored, a key is replaced whole, a missing key is
// fs.ErrNotExist, keys that would escape are refused, concurrent writers of one key
// leave one complete value.
func Run(t *testing.T, s media.Storage) {
	ctx := context.Background()

	t.Run("round trip", func(t *testing.T) {
		data := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 3}, 40_000) // 320 kB, binary
		if err := s.Put(ctx, "shop-1/ab/round-trip", data, "image/png"); err != nil {
			t.Fatal(err)
		}
		got, size := read(t, s, "shop-1/ab/round-trip")
		if size != int64(len(data)) || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes (size %d), want the %d stored", len(got), size, len(data))
		}
	})

	t.Run("put replaces", func(t *testing.T) {
		for _, v := range []string{"first, longer value", "second"} {
			if err := s.Put(ctx, "replace/key", []byte(v), "text/plain"); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := read(t, s, "replace/key"); string(got) != "second" {
			t.Fatalf("after two puts the key holds %q", got)
		}
	})

	t.Run("missing key", func(t *testing.T) {
		_, _, err := s.Open(ctx, "never/written")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("open of a missing key: %v, want fs.ErrNotExist", err)
		}
	})

	t.Run("keys that escape are refused", func(t *testing.T) {
		for _, key := range []string{"", "../outside", "/abs", "a/../../b", "a//b", "./a"} {
			if err := s.Put(ctx, key, []byte("x"), "text/plain"); err == nil {
				t.Errorf("put %q was accepted", key)
			}
			if _, _, err := s.Open(ctx, key); err == nil {
				t.Errorf("open %q was accepted", key)
			}
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		var wg sync.WaitGroup
		values := make([][]byte, 8)
		for i := range values {
			values[i] = bytes.Repeat([]byte(fmt.Sprint(i)), 64<<10)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Put(ctx, "race/key", values[i], "application/octet-stream"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := read(t, s, "race/key")
		for _, v := range values {
			if bytes.Equal(got, v) {
				return
			}
		}
		t.Fatalf("after concurrent writes the key holds %d bytes that match no writer's value", len(got))
	})
}

func read(t *testing.T, s media.Storage, key string) ([]byte, int64) {
	t.Helper()
	rc, size, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return got, size
}
