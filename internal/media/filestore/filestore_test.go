package filestore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatbridge/chatbridge/internal/media/storagetest"
)

func TestStorage(t *testing.T) {
	s, err := New(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	storagetest.Run(t, s)
}

// A put leaves only the file itself: no temporary file stays beside it, and nothing is
// written outside the root.
func TestPutLeavesOnlyTheFile(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "media")
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "1/ab/abcdef", []byte("bytes"), "image/png"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "1", "ab"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "abcdef" {
		t.Fatalf("folder holds %v, want only abcdef", entries)
	}
	if top, _ := os.ReadDir(parent); len(top) != 1 {
		t.Fatalf("the parent folder holds %v, want only media/", top)
	}
}

func TestNewRefusesNoFolder(t *testing.T) {
	if _, err := New(""); err == nil {
		t.Fatal("New(\"\") was accepted")
	}
}
