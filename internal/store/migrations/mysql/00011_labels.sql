-- +goose Up
-- A conversation's labels: the column is what the inbox shows, the table what it filters on.
ALTER TABLE conversations ADD COLUMN labels VARCHAR(400) NOT NULL DEFAULT '';
CREATE TABLE conversation_labels (
  conversation_id BIGINT UNSIGNED NOT NULL,
  label VARCHAR(32) NOT NULL,
  shop_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (conversation_id, label),
  KEY idx_conversation_labels_shop_label (shop_id, label, conversation_id),
  CONSTRAINT fk_conversation_labels_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE conversation_labels;
ALTER TABLE conversations DROP COLUMN labels;
