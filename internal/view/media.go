package view

import "github.com/chatbridge/chatbridge/models"

// Media is a stored file as the inbox shows it. A buyer's image is "pending" while the
// worker fetches it, then "ready" (URL serves it to the shop's staff) or "failed"
// (Error says why).
type Media struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	FileName    string `json:"file_name,omitempty"`
	Error       string `json:"error,omitempty"`
	URL         string `json:"url,omitempty"`
}

// MediaPath is where the shop's staff fetch a media file (authenticated).
func MediaPath(id uint64) string { return "/api/v1/media/" + ID(id) }

// NewMedia renders a media row.
func NewMedia(m *models.Media) Media {
	v := Media{ID: ID(m.ID), Status: string(m.Status), FileName: m.FileName, Error: m.Error}
	if m.Status == models.MediaReady {
		v.ContentType, v.Size, v.URL = m.ContentType, m.Size, MediaPath(m.ID)
	}
	return v
}
