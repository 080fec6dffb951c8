package models

import "time"

// MediaStatus is where a media file stands: a buyer's image is pending until the
// worker has fetched it from the platform, then ready, or failed with the reason.
type MediaStatus string

// Media statuses.
const (
	MediaPending MediaStatus = "pending"
	MediaReady   MediaStatus = "ready"
	MediaFailed  MediaStatus = "failed"
)

// Where a media file came from.
const (
	MediaFromBuyer = "inbound" // sent by a buyer, fetched through the channel's adapter
	MediaFromAgent = "upload"  // uploaded by a member of staff to send
)

// MediaSource is how the platform names a buyer's file (a media id or a URL), kept so
// the fetch can be retried.
type MediaSource struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// Media is one stored file (an image) of a shop. Its bytes are in the media storage
// under StorageKey once it is ready.
type Media struct {
	ID          uint64
	ShopID      uint64
	ChannelID   *uint64
	Origin      string
	Status      MediaStatus
	Source      JSON[MediaSource]
	StorageKey  string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	FileName    string
	UploadedBy  *uint64
	Error       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table's name as the migration spells it.
func (Media) TableName() string { return "media" }
