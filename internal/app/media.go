package app

import (
	"fmt"

	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/media/filestore"
	"github.com/chatbridge/chatbridge/internal/media/s3store"
)

// newMediaStorage opens the configured media storage: a local folder, or an S3 bucket.
func newMediaStorage(cfg config.Config) (media.Storage, error) {
	if cfg.MediaStorage == "s3" {
		s, err := s3store.New(s3store.Config{
			Endpoint: cfg.MediaS3Endpoint, Region: cfg.MediaS3Region, Bucket: cfg.MediaS3Bucket,
			AccessKey: cfg.MediaS3AccessKey, SecretKey: cfg.MediaS3SecretKey, PathStyle: cfg.MediaS3PathStyle,
		})
		if err != nil {
			return nil, fmt.Errorf("media storage (CHATBRIDGE_MEDIA_S3_*): %w", err)
		}
		return s, nil
	}
	s, err := filestore.New(cfg.MediaFolder())
	if err != nil {
		return nil, fmt.Errorf("media storage (CHATBRIDGE_MEDIA_DIR): %w", err)
	}
	return s, nil
}
