package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Upload checks and stores a file a member of staff sends (at most MaxBytes of r are
// read), ready to be sent as an image reply.
func (s *Service) Upload(ctx context.Context, shopID, userID uint64, fileName string, r io.Reader) (*models.Media, error) {
	data, err := ReadLimited(r, s.MaxBytes)
	if err != nil {
		return nil, err
	}
	m, err := s.store(ctx, shopID, data)
	if err != nil {
		return nil, err
	}
	m.ShopID, m.Origin, m.UploadedBy, m.FileName = shopID, models.MediaFromAgent, &userID, cleanFileName(fileName)
	if err := s.DB.CreateMedia(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// File is a stored file opened for reading.
type File struct {
	Media *models.Media
	Body  io.ReadCloser
	Size  int64
}

// Open opens a ready file of a shop (any shop when shopID is 0): another shop's answers
// store.ErrNotFound, one not fetched (yet) ErrNotReady.
func (s *Service) Open(ctx context.Context, shopID, id uint64) (*File, error) {
	m, err := s.DB.Media(ctx, shopID, id)
	if err != nil {
		return nil, err
	}
	if m.Status != models.MediaReady {
		return nil, fmt.Errorf("media %d: %w", id, ErrNotReady)
	}
	body, size, err := s.Storage.Open(ctx, m.StorageKey)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("media %d: its file is missing from the storage: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("media %d: %w", id, err)
	}
	return &File{Media: m, Body: body, Size: size}, nil
}

// ErrBadSignature refuses a signed media URL that was tampered with or has expired.
var ErrBadSignature = errors.New("the media link is invalid or has expired")

// SignedURL is an address where a platform can fetch the file without logging in,
// valid for URLTTL.
func (s *Service) SignedURL(id uint64) string {
	expires := s.Now().Add(s.URLTTL).Unix()
	return fmt.Sprintf("%s/media/%d?expires=%d&sig=%s", s.BaseURL, id, expires, s.signature(id, expires))
}

func (s *Service) signature(id uint64, expires int64) string {
	mac := hmac.New(sha256.New, s.SignKey)
	fmt.Fprintf(mac, "media:%d:%d", id, expires)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// OpenSigned opens the file of a signed URL after checking its signature and expiry.
func (s *Service) OpenSigned(ctx context.Context, id uint64, expires, sig string) (*File, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || sig == "" {
		return nil, fmt.Errorf("%w: expires and sig are required", ErrBadSignature)
	}
	if !hmac.Equal([]byte(sig), []byte(s.signature(id, exp))) {
		return nil, fmt.Errorf("%w: the signature does not match", ErrBadSignature)
	}
	if s.Now().Unix() > exp {
		return nil, fmt.Errorf("%w: it expired", ErrBadSignature)
	}
	return s.Open(ctx, 0, id)
}

// Attachment is a ready file as an outbound message carries it: its bytes for platforms
// that upload, and a signed URL for those that fetch. A file that is gone or not ready
// is a *adapters.PermanentError: retrying the delivery cannot bring it back.
func (s *Service) Attachment(ctx context.Context, id uint64) (*adapters.Attachment, error) {
	f, err := s.Open(ctx, 0, id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrNotReady) {
		return nil, &adapters.PermanentError{Err: err}
	}
	if err != nil {
		return nil, err
	}
	defer f.Body.Close()
	data, err := ReadLimited(f.Body, max(f.Size, s.MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("media %d: %w", id, err)
	}
	name := f.Media.FileName
	if name == "" {
		name = "image" + extensions[f.Media.ContentType]
	}
	return &adapters.Attachment{ContentType: f.Media.ContentType, FileName: name, Data: data, URL: s.SignedURL(id)}, nil
}

// extensions name a file of each accepted type for platforms that want a file name.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp",
}
