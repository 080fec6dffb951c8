// Package filestore keeps media files in a local folder: the default storage, fine for
// one machine or for processes that share the folder (a mounted volume). Each file is
// written to a temporary name, synced, then renamed into place, so a reader never sees
// half a file and a crash leaves no torn one behind.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store is a folder of media files.
type Store struct {
	root string
}

// New returns a store rooted at dir, creating the folder when it is missing.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("filestore: no folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("filestore: create %s: %w", abs, err)
	}
	return &Store{root: abs}, nil
}

// path maps a key to a file under the root, refusing keys that would leave it.
func (s *Store) path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, `\`) || !fs.ValidPath(key) {
		return "", fmt.Errorf("filestore: invalid key %q", key)
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Put writes data under key atomically.
func (s *Store) Put(ctx context.Context, key string, data []byte, _ string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("filestore: put %s: %w", key, err)
	}
	return nil
}

// Open reads the file of key; a missing one answers an error wrapping fs.ErrNotExist.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	path, err := s.path(key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("filestore: open %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("filestore: open %s: %w", key, err)
	}
	return f, info.Size(), nil
}
