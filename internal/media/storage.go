package media

import (
	"context"
	"io"
)

// Storage keeps the bytes of media files under keys the media service makes up. Two
// implementations exist: a local folder (internal/media/filestore, the default) and
// S3-compatible object storage (internal/media/s3store). A missing key answers an
// error wrapping fs.ErrNotExist.
type Storage interface {
	// Put stores data under key, replacing what was there. Keys are content addressed,
	// so writing one twice writes the same bytes.
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Open reads what is stored under key, with its size in bytes.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
}
