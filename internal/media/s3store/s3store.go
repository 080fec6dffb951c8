// Package s3store keeps media files in S3-compatible object storage (AWS S3, MinIO,
// Aliyun OSS, Tencent COS, Cloudflare R2...), for installations whose serve and worker
// processes run on different machines. It speaks S3 through minio-go.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config is where the bucket lives and how to sign in.
type Config struct {
	// Endpoint is the service's URL, e.g. https://s3.eu-central-1.amazonaws.com or
	// http://minio:9000; its scheme decides TLS.
	Endpoint  string
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// PathStyle addresses the bucket as endpoint/bucket/key (MinIO and most
	// self-hosted services) instead of bucket.endpoint/key.
	PathStyle bool
	// Transport replaces the default HTTP transport (tests, proxies).
	Transport http.RoundTripper
}

// Store is one bucket.
type Store struct {
	client *minio.Client
	bucket string
}

// New connects to the bucket's service. It makes no request: a wrong bucket or key
// shows at the first Put or Open.
func New(cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("s3store: endpoint %q must be an http(s) URL with no path", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3store: no bucket given")
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	region := cfg.Region
	if region == "" {
		// A region given up front spares a GetBucketLocation call before each first use.
		region = "us-east-1"
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
		MaxRetries:   3,
	})
	if err != nil {
		return nil, fmt.Errorf("s3store: %w", err)
	}
	return &Store{client: client, bucket: cfg.Bucket}, nil
}

func validKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || !fs.ValidPath(key) {
		return fmt.Errorf("s3store: invalid key %q", key)
	}
	return nil
}

// Put uploads data under key in one request.
func (s *Store) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := validKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:      contentType,
		DisableMultipart: true,
		SendContentMd5:   true,
	})
	if err != nil {
		return fmt.Errorf("s3store: put %s/%s: %w", s.bucket, key, err)
	}
	return nil
}

// Open streams the object of key; a missing one answers an error wrapping fs.ErrNotExist.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := validKey(key); err != nil {
		return nil, 0, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("s3store: open %s/%s: %w", s.bucket, key, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if code := minio.ToErrorResponse(err).Code; code == minio.NoSuchKey || code == "NotFound" {
			err = fmt.Errorf("%w: %w", fs.ErrNotExist, err)
		}
		return nil, 0, fmt.Errorf("s3store: open %s/%s: %w", s.bucket, key, err)
	}
	return obj, info.Size, nil
}
