-- +goose Up
-- Files buyers send and agents upload (images). A buyer's image is stored as a pending
-- row in the transaction of its message and fetched from the platform by a task; the
-- bytes live in the media storage (a folder or S3) under storage_key, which is content
-- addressed (shop and sha256), so fetching again writes the same object.
CREATE TABLE media (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NULL,
  origin VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  source MEDIUMTEXT NOT NULL,
  storage_key VARCHAR(255) NOT NULL DEFAULT '',
  content_type VARCHAR(127) NOT NULL DEFAULT '',
  size BIGINT NOT NULL DEFAULT 0,
  sha256 CHAR(64) NOT NULL DEFAULT '',
  file_name VARCHAR(255) NOT NULL DEFAULT '',
  uploaded_by BIGINT UNSIGNED NULL,
  error VARCHAR(1024) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_media_shop (shop_id, id),
  KEY idx_media_status (status, created_at),
  CONSTRAINT fk_media_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An image message names its file; the index finds the message once the file is fetched.
ALTER TABLE messages ADD COLUMN media_id BIGINT UNSIGNED NULL, ADD KEY idx_messages_media (media_id);

-- +goose Down
ALTER TABLE messages DROP KEY idx_messages_media, DROP COLUMN media_id;
DROP TABLE media;
