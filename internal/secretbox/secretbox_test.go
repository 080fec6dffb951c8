package secretbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpenRoundTripAndTamper(t *testing.T) {
	box, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"callback_url":"https://shop.example/cb","token":"密钥"}`)
	a, b := box.Seal(plain), box.Seal(plain)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if bytes.Contains(a, []byte("callback_url")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := box.Open(a)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	a[len(a)-1] ^= 1
	if _, err := box.Open(a); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("tampered value: %v, want ErrCorrupt", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(b); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("other key: %v, want ErrCorrupt", err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestKeyFileIsCreatedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	k1, gen1, err := LoadOrCreateKey("", dir)
	if err != nil || !gen1 || len(k1) != 32 {
		t.Fatalf("first: %d bytes, generated=%v, %v", len(k1), gen1, err)
	}
	k2, gen2, err := LoadOrCreateKey("", dir)
	if err != nil || gen2 || !bytes.Equal(k1, k2) {
		t.Fatalf("second: generated=%v equal=%v %v", gen2, bytes.Equal(k1, k2), err)
	}
}
