package apptest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/media/imagetest"
)

// With media_storage s3 the real app keeps images in the bucket: a buyer's photo is
// fetched into it and served from it. The bucket is gofakes3, speaking the S3 protocol.
func TestBuyerImageStoredInS3(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("cb-media"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3.Close()
	cfg := Config(t)
	cfg.MediaStorage, cfg.MediaS3Endpoint, cfg.MediaS3Bucket = "s3", s3.URL, "cb-media"
	cfg.MediaS3AccessKey, cfg.MediaS3SecretKey, cfg.MediaS3PathStyle = "AKIDTEST", "secret", true
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})

	jpg := imagetest.JPEG(90, 60)
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(jpg) }))
	defer images.Close()
	shop := inst.NewShop(t, "s3", "http://127.0.0.1:9/unused")
	if status, body := inst.Webhook(t, shop, imageBody("s3-1", "buyer-1", "", images.URL+"/a.jpg")); status != http.StatusOK {
		t.Fatalf("webhook: %d %s", status, body)
	}
	conv := onlyConversation(t, shop.Agent)
	var url string
	Eventually(t, 15*time.Second, "the image fetched into the bucket", func() bool {
		m := threadOf(t, shop.Agent, conv)[0].Media
		url = m.URL
		return m.Status == "ready"
	})
	code, _, got := shop.Agent.get(url)
	if code != http.StatusOK || !bytes.Equal(got, jpg) {
		t.Fatalf("GET %s: %d, %d bytes", url, code, len(got))
	}
	list, err := backend.ListBucket("cb-media", nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || !strings.HasPrefix(list.Contents[0].Key, shop.ID+"/") {
		t.Fatalf("bucket holds %+v, want one object under the shop's prefix %s/", list.Contents, shop.ID)
	}
	obj, err := backend.GetObject("cb-media", list.Contents[0].Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if !bytes.Equal(stored, jpg) {
		t.Fatal("the object in the bucket differs from the buyer's photo")
	}
}
