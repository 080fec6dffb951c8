package media

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge refuses a file above the configured size limit.
var ErrTooLarge = errors.New("file too large")

// ErrUnsupportedType refuses a file that is not an image of an accepted kind.
var ErrUnsupportedType = errors.New("not an accepted image")

// AcceptedTypes are the image kinds ChatBridge stores and shows, as sniffed from the
// bytes (never as declared: a platform's or browser's label can lie). SVG is not among
// them: it can carry script.
var AcceptedTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"}

// Check sniffs data and answers its content type when it is an accepted image no larger
// than limit bytes; otherwise an error wrapping ErrTooLarge or ErrUnsupportedType that
// says what was found.
func Check(data []byte, limit int64) (string, error) {
	if int64(len(data)) > limit {
		return "", fmt.Errorf("%w: %s is more than the limit of %s", ErrTooLarge, humanSize(int64(len(data))), humanSize(limit))
	}
	if len(data) == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrUnsupportedType)
	}
	sniffed := http.DetectContentType(data)
	for _, t := range AcceptedTypes {
		if sniffed == t {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w: the content is %s (accepted: JPEG, PNG, GIF, WebP, BMP)", ErrUnsupportedType, sniffed)
}

// ReadLimited reads r up to limit bytes; a longer stream answers ErrTooLarge without
// reading more than one byte past the limit.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("media: read: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than the limit of %s", ErrTooLarge, humanSize(limit))
	}
	return buf.Bytes(), nil
}

// humanSize renders a byte count for people (binary units, as the limit is set).
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Rejected reports whether err is a refusal of the file itself (too large, not an
// image): fetching it again cannot help.
func Rejected(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupportedType)
}
