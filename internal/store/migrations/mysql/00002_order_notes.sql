-- +goose Up
-- An order's note and flag (旗帜备注) are ChatBridge's to set and are written back to the
-- marketplace by a task; each change is kept with its write-back outcome.
ALTER TABLE orders
  ADD COLUMN note_category VARCHAR(32) NOT NULL DEFAULT '',
  ADD COLUMN note_sync VARCHAR(16) NOT NULL DEFAULT 'none',
  ADD COLUMN note_sync_error VARCHAR(1024) NOT NULL DEFAULT '';

CREATE TABLE order_notes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  order_id BIGINT UNSIGNED NOT NULL,
  flag VARCHAR(16) NOT NULL,
  note VARCHAR(1024) NOT NULL,
  category VARCHAR(32) NOT NULL,
  author_id BIGINT UNSIGNED NULL,
  sync VARCHAR(16) NOT NULL,
  sync_error VARCHAR(1024) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_order_notes_order (order_id, id),
  CONSTRAINT fk_order_notes_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE order_notes;
ALTER TABLE orders DROP COLUMN note_category, DROP COLUMN note_sync, DROP COLUMN note_sync_error;
