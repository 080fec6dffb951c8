package media

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chatbridge/chatbridge/internal/media/filestore"
	"github.com/chatbridge/chatbridge/internal/media/imagetest"
)

// BenchmarkStoreImage measures what every buyer's photo and upload costs once its bytes
// are in memory: the sniff and size check, SHA-256, and a durable write (fsync, rename)
// to the local folder. A 1 MiB JPEG is a typical phone photo after the platform's
// compression.
func BenchmarkStoreImage(b *testing.B) {
	files, err := filestore.New(filepath.Join(b.TempDir(), "media"))
	if err != nil {
		b.Fatal(err)
	}
	s := New(Deps{Storage: files, MaxBytes: 20 << 20})
	photo := imagetest.JPEG(16, 16)
	photo = append(photo, make([]byte, 1<<20-len(photo))...)
	ctx := context.Background()
	b.SetBytes(int64(len(photo)))
	b.ReportAllocs()
	for i := range b.N {
		photo[len(photo)-1] = byte(i) // a new file each time: no write is skipped
		if _, err := s.store(ctx, 1, photo); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is the sniff and size check alone (done on every file).
func BenchmarkCheck(b *testing.B) {
	photo := append(imagetest.PNG(16, 16), make([]byte, 5<<20)...)
	b.ReportAllocs()
	for range b.N {
		if _, err := Check(photo, 20<<20); err != nil {
			b.Fatal(err)
		}
	}
}
