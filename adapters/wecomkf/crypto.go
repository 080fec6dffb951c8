package wecomkf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// WeCom's callback crypto (WXBizMsgCrypt): a SHA-1 signature over the sorted token,
// timestamp, nonce and ciphertext, and AES-256-CBC over
// random(16) || len(4, big-endian) || msg || receiveid, PKCS#7-padded to 32 bytes.

// blockPad is WeCom's padding block: 32 bytes, not AES's 16, so a pad byte runs 1..32.
const blockPad = 32

// Errors of the callback crypto. Each wraps into what the webhook answers.
var (
	ErrSignature = errors.New("wecom: msg_signature does not match")
	ErrAESKey    = errors.New("wecom: encoding_aes_key must be 43 characters of base64 (a 32-byte key)")
	ErrDecrypt   = errors.New("wecom: ciphertext does not decrypt to a WeCom message")
	ErrReceiveID = errors.New("wecom: receiveid does not match the corp id")
)

// Crypter signs, encrypts and decrypts WeCom callbacks for one token and key.
type Crypter struct {
	token     string
	key       []byte
	receiveID string
}

// NewCrypter checks the EncodingAESKey (43 characters) and returns a Crypter whose
// decrypted messages must end with receiveID (the corp id for customer service).
func NewCrypter(token, encodingAESKey, receiveID string) (*Crypter, error) {
	key, err := DecodeAESKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	return &Crypter{token: token, key: key, receiveID: receiveID}, nil
}

// DecodeAESKey turns the 43-character EncodingAESKey into the 32-byte AES key.
func DecodeAESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrAESKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrAESKey
	}
	return key, nil
}

// Signature is msg_signature: hex SHA-1 of the four values sorted and joined.
func Signature(token, timestamp, nonce, encrypted string) string {
	parts := []string{token, timestamp, nonce, encrypted}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks msg_signature in constant time.
func (c *Crypter) Verify(signature, timestamp, nonce, encrypted string) error {
	want := Signature(c.token, timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// Decrypt opens a base64 ciphertext and checks its receiveid.
func (c *Crypter) Decrypt(encrypted string) ([]byte, error) {
	msg, receiveID, err := decrypt(c.key, encrypted)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(receiveID), []byte(c.receiveID)) != 1 {
		return nil, ErrReceiveID
	}
	return msg, nil
}

func decrypt(key []byte, encrypted string) (msg []byte, receiveID string, err error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, "", fmt.Errorf("%w: not base64", ErrDecrypt)
	}
	if len(raw) == 0 || len(raw)%blockPad != 0 {
		return nil, "", fmt.Errorf("%w: %d bytes is not a whole number of 32-byte blocks", ErrDecrypt, len(raw))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(plain, raw)
	plain, err = unpad(plain)
	if err != nil {
		return nil, "", err
	}
	if len(plain) < 20 {
		return nil, "", fmt.Errorf("%w: plaintext too short", ErrDecrypt)
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, "", fmt.Errorf("%w: message length %d exceeds the plaintext", ErrDecrypt, n)
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}

// unpad strips PKCS#7 padding to 32-byte blocks: 1 ≤ pad ≤ 32, every pad byte equal.
func unpad(b []byte) ([]byte, error) {
	pad := int(b[len(b)-1])
	if pad < 1 || pad > blockPad || pad > len(b) {
		return nil, fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	if !bytes.Equal(b[len(b)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	return b[:len(b)-pad], nil
}

// Encrypt seals msg as WeCom does, with a fresh random prefix.
func (c *Crypter) Encrypt(msg []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("wecom: random prefix: %w", err)
	}
	return encrypt(c.key, random, msg, c.receiveID), nil
}

// encrypt is Encrypt with the random prefix given, so it can be checked on a vector.
func encrypt(key, random, msg []byte, receiveID string) string {
	plain := make([]byte, 0, 20+len(msg)+len(receiveID)+blockPad)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, receiveID...)
	pad := blockPad - len(plain)%blockPad
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key) // key is 32 bytes: checked by DecodeAESKey
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// Seal encrypts msg and signs it: what WeCom itself sends (and what a passive reply
// carries). Tests use it to build genuine callbacks.
func (c *Crypter) Seal(msg []byte, timestamp, nonce string) (encrypted, signature string, err error) {
	encrypted, err = c.Encrypt(msg)
	if err != nil {
		return "", "", err
	}
	return encrypted, Signature(c.token, timestamp, nonce, encrypted), nil
}
