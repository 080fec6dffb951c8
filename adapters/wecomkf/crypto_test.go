package wecomkf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// The official WXBizMsgCrypt sample (PROTOCOLS.md §1.1).
const (
	vecToken     = "QDG6eK"
	vecAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vecReceiveID = "wx5823bf96d3bd56c7"

	vecVerifyTimestamp = "1409659589"
	vecVerifyNonce     = "263014780"
	vecVerifyEchostr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	vecVerifySig       = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vecVerifyPlain     = "1616140317555161061"

	vecMsgTimestamp = "1409659813"
	vecMsgNonce     = "1372623149"
	vecMsgEncrypt   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	vecMsgSig       = "477715d11cdb4164915debcba66cb864d751f3e6"

	vecEncryptRandom = "0123456789abcdef"
	vecEncryptOut    = "sKqRbbiSUnDhFHOvPjtUMd2aKGsnO1wGUhhgmucZyOooAmp9WiC5uDkjoOv6eP1l5uh45DeEw9aco5AR3vyVtA=="
)

func vecCrypter(t *testing.T) *Crypter {
	t.Helper()
	c, err := NewCrypter(vecToken, vecAESKey, vecReceiveID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyURLVector(t *testing.T) {
	c := vecCrypter(t)
	if got := Signature(vecToken, vecVerifyTimestamp, vecVerifyNonce, vecVerifyEchostr); got != vecVerifySig {
		t.Fatalf("signature = %s, want %s", got, vecVerifySig)
	}
	if err := c.Verify(vecVerifySig, vecVerifyTimestamp, vecVerifyNonce, vecVerifyEchostr); err != nil {
		t.Fatal(err)
	}
	plain, err := c.Decrypt(vecVerifyEchostr)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != vecVerifyPlain {
		t.Fatalf("plaintext = %q, want %q", plain, vecVerifyPlain)
	}
}

func TestDecryptMsgVector(t *testing.T) {
	c := vecCrypter(t)
	if got := Signature(vecToken, vecMsgTimestamp, vecMsgNonce, vecMsgEncrypt); got != vecMsgSig {
		t.Fatalf("signature = %s, want %s", got, vecMsgSig)
	}
	raw, _ := base64.StdEncoding.DecodeString(vecMsgEncrypt)
	if len(raw) != 352 {
		t.Fatalf("ciphertext is %d bytes, want 352", len(raw))
	}
	plain, err := c.Decrypt(vecMsgEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<FromUserName><![CDATA[mycreate]]></FromUserName>", "<Content><![CDATA[hello]]></Content>",
		"<MsgId>4561255354251345929</MsgId>", "<AgentID>218</AgentID>", "\n"} {
		if !strings.Contains(string(plain), want) {
			t.Errorf("plaintext %q lacks %q", plain, want)
		}
	}
}

// The deterministic vector pads 44 bytes to 64: a pad byte of 21, which a 16-byte
// PKCS#7 unpad would refuse.
func TestEncryptVectorPadsTo32(t *testing.T) {
	key, _ := DecodeAESKey(vecAESKey)
	got := encrypt(key, []byte(vecEncryptRandom), []byte("hello"), vecReceiveID)
	if got != vecEncryptOut {
		t.Fatalf("ciphertext = %s, want %s", got, vecEncryptOut)
	}
	raw, _ := base64.StdEncoding.DecodeString(got)
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	if len(plain) != 64 || plain[63] != 21 {
		t.Fatalf("padded plaintext is %d bytes ending in %d, want 64 ending in 21", len(plain), plain[63])
	}
	msg, err := vecCrypter(t).Decrypt(got)
	if err != nil || string(msg) != "hello" {
		t.Fatalf("Decrypt = %q, %v", msg, err)
	}
}

func TestDecryptRefusals(t *testing.T) {
	c := vecCrypter(t)
	key, _ := DecodeAESKey(vecAESKey)
	other, _ := NewCrypter(vecToken, vecAESKey, "ww-another-corp")
	if _, err := other.Decrypt(vecMsgEncrypt); !errors.Is(err, ErrReceiveID) {
		t.Errorf("another corp's message: %v, want ErrReceiveID", err)
	}
	if err := c.Verify(vecMsgSig, vecMsgTimestamp, "1", vecMsgEncrypt); !errors.Is(err, ErrSignature) {
		t.Errorf("changed nonce: %v, want ErrSignature", err)
	}
	if err := c.Verify(strings.ToUpper(vecMsgSig), vecMsgTimestamp, vecMsgNonce, vecMsgEncrypt); err != nil {
		t.Errorf("an upper-case signature is the same hex: %v", err)
	}
	// Padding bytes that disagree, a pad of 0 and a pad of 33 are all refused.
	for name, last := range map[string][]byte{
		"pad 0":      append(bytes.Repeat([]byte{7}, 31), 0),
		"pad 33":     append(bytes.Repeat([]byte{33}, 31), 33),
		"mixed pads": append(bytes.Repeat([]byte{1}, 31), 4),
	} {
		head := append([]byte(vecEncryptRandom), 0, 0, 0, 1, 'x')
		plain := append(append(head, bytes.Repeat([]byte{'w'}, 32-len(head))...), last...)
		block, _ := aes.NewCipher(key)
		out := make([]byte, len(plain))
		cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
		if _, err := c.Decrypt(base64.StdEncoding.EncodeToString(out)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrDecrypt", name, err)
		}
	}
	for name, in := range map[string]string{"not base64": "%%%", "empty": "", "short block": base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := c.Decrypt(in); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrDecrypt", name, err)
		}
	}
	if _, err := NewCrypter(vecToken, vecAESKey[:42], vecReceiveID); !errors.Is(err, ErrAESKey) {
		t.Errorf("a 42-character key: %v, want ErrAESKey", err)
	}
}

func TestSealRoundTrip(t *testing.T) {
	c := vecCrypter(t)
	enc, sig, err := c.Seal([]byte("<xml>你好</xml>"), "1700000000", "n1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(sig, "1700000000", "n1", enc); err != nil {
		t.Fatal(err)
	}
	if msg, err := c.Decrypt(enc); err != nil || string(msg) != "<xml>你好</xml>" {
		t.Fatalf("round trip = %q, %v", msg, err)
	}
}
