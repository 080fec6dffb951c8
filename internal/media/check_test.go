package media

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/chatbridge/chatbridge/internal/media/imagetest"
)

func TestCheck(t *testing.T) {
	const limit = 64 << 10
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
	cases := []struct {
		name    string
		data    []byte
		want    string
		wantErr error
		mention string
	}{
		{"png", imagetest.PNG(40, 30), "image/png", nil, ""},
		{"jpeg", imagetest.JPEG(40, 30), "image/jpeg", nil, ""},
		{"gif", imagetest.GIF(10, 10), "image/gif", nil, ""},
		{"webp", webp, "image/webp", nil, ""},
		{"html posing as an image", []byte("<html><script>alert(1)</script></html>"), "", ErrUnsupportedType, "text/html"},
		{"svg (can carry script)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", ErrUnsupportedType, "text/"},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "", ErrUnsupportedType, "application/pdf"},
		{"empty", nil, "", ErrUnsupportedType, "empty"},
		{"over the limit", append(imagetest.PNG(4, 4), make([]byte, limit)...), "", ErrTooLarge, "64.0 KiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(tc.data, limit)
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("Check = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || !Rejected(err) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("Check = %q, %v; want %v mentioning %q", got, err, tc.wantErr, tc.mention)
			}
		})
	}
}

func TestReadLimited(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 100)
	if got, err := ReadLimited(bytes.NewReader(data), 100); err != nil || len(got) != 100 {
		t.Fatalf("exactly the limit: %d bytes, %v", len(got), err)
	}
	r := bytes.NewReader(append(data, 'y', 'z'))
	if _, err := ReadLimited(r, 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if consumed := 102 - r.Len(); consumed != 101 {
		t.Fatalf("read %d bytes of 102, want the limit and one more", consumed)
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"photo.jpg":              "photo.jpg",
		"../../etc/passwd":       "passwd",
		`C:\Users\me\破损照片.png`:   "破损照片.png",
		"":                       "",
		"/":                      "",
		strings.Repeat("长", 100): strings.Repeat("长", 85), // 255 bytes cut at a character boundary
		"bad\xffname.png":        "badname.png",
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
