-- +goose Up
CREATE TABLE media (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  channel_id INTEGER NULL,
  origin TEXT NOT NULL,
  status TEXT NOT NULL,
  source TEXT NOT NULL,
  storage_key TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  file_name TEXT NOT NULL DEFAULT '',
  uploaded_by INTEGER NULL,
  error TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_media_shop ON media (shop_id, id);
CREATE INDEX idx_media_status ON media (status, created_at);

ALTER TABLE messages ADD COLUMN media_id INTEGER NULL;
CREATE INDEX idx_messages_media ON messages (media_id);

-- +goose Down
DROP INDEX idx_messages_media;
ALTER TABLE messages DROP COLUMN media_id;
DROP TABLE media;
