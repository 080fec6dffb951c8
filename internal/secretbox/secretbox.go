// Package secretbox encrypts channel credentials at rest with AES-256-GCM under the
// installation's secret key.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// version prefixes every sealed value so that a later key rotation can tell old from new.
const version byte = 1

// Box seals and opens values with one key.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext with a fresh random nonce.
func (b *Box) Seal(plaintext []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, nil)
}

// ErrCorrupt is returned for a value that was not sealed with this key.
var ErrCorrupt = errors.New("secretbox: value is corrupt or sealed with another key")

// Open decrypts a value made by Seal.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], nil)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// LoadOrCreateKey decodes a configured base64 key, or, when none is configured, reads
// (creating it on first start) the key file in dataDir. It answers whether it generated one.
func LoadOrCreateKey(configured, dataDir string) (key []byte, generated bool, err error) {
	if configured != "" {
		key, err = base64.StdEncoding.DecodeString(configured)
		return key, false, err
	}
	path := filepath.Join(dataDir, "secret.key")
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, false, fmt.Errorf("secretbox: %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("secretbox: %w", err)
	}
	key = make([]byte, 32)
	_, _ = rand.Read(key)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, false, fmt.Errorf("secretbox: %w", err)
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, false, fmt.Errorf("secretbox: write %s: %w", path, err)
	}
	return key, true, nil
}
