-- +goose Up
-- Where the last pull from a platform stopped (WeCom customer service's sync_msg cursor,
-- a marketplace's increment window), kept per channel and per stream, so a restart or
-- another worker goes on from there.
CREATE TABLE channel_cursors (
  channel_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(64) NOT NULL,
  cursor_value VARCHAR(1024) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (channel_id, name),
  CONSTRAINT fk_channel_cursors_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE channel_cursors;
