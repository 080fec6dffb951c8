package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/view"
)

// maxShopField bounds the shop_id form field of an upload.
const maxShopField = 32

// uploadMedia takes an image a member of staff will send: multipart/form-data with the
// file in "file" (and, for admins, "shop_id" before it). The file is streamed to the
// media service, which reads at most the size limit of it.
func (s *Server) uploadMedia(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Media.MaxBytes+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		invalid(c, "file", "send the image as multipart/form-data in the field \"file\"")
		return
	}
	shopRaw := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			invalid(c, "file", "is required")
			return
		}
		if err != nil {
			s.fail(c, uploadError(err))
			return
		}
		switch part.FormName() {
		case "shop_id":
			raw, _ := io.ReadAll(io.LimitReader(part, maxShopField))
			shopRaw = strings.TrimSpace(string(raw))
		case "file":
			shopID, ok := s.shopParam(c, shopRaw)
			if !ok {
				return
			}
			m, err := s.Media.Upload(c.Request.Context(), shopID, currentUser(c).ID, part.FileName(), part)
			if err != nil {
				s.fail(c, uploadError(err))
				return
			}
			c.JSON(http.StatusCreated, view.NewMedia(m))
			return
		}
	}
}

// uploadError reports a body cut by the request limit as the file being too large.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return media.ErrTooLarge
	}
	return err
}

// getMedia serves a file to the shop's staff: another shop's answers 404.
func (s *Server) getMedia(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	f, err := s.Media.Open(c.Request.Context(), shopScope(currentUser(c)), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	serveFile(c, f)
}

// getSignedMedia serves a file to a platform holding a signed, unexpired link; no login.
func (s *Server) getSignedMedia(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	f, err := s.Media.OpenSigned(c.Request.Context(), id, c.Query("expires"), c.Query("sig"))
	if err != nil {
		s.fail(c, err)
		return
	}
	serveFile(c, f)
}

// serveFile writes a stored file with headers that keep a browser from reading it as
// anything but what was sniffed when it was stored: nosniff, a sandboxing CSP, and
// inline display only for images.
func serveFile(c *gin.Context, f *media.File) {
	defer f.Body.Close()
	m := f.Media
	h := c.Writer.Header()
	h.Set("Content-Type", m.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400, immutable")
	h.Set("ETag", `"`+m.SHA256+`"`)
	disposition := "attachment"
	if strings.HasPrefix(m.ContentType, "image/") {
		disposition = "inline"
	}
	params := map[string]string{}
	if m.FileName != "" {
		params["filename"] = m.FileName
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, params))
	if match := c.GetHeader("If-None-Match"); match != "" && match == `"`+m.SHA256+`"` {
		h.Del("Content-Length")
		c.Status(http.StatusNotModified)
		return
	}
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(c.Writer, f.Body); err != nil {
		requestLog(c).Warn("serve media", "media_id", m.ID, "err", err)
	}
}
