-- +goose Up
ALTER TABLE conversations ADD COLUMN labels TEXT NOT NULL DEFAULT '';
CREATE TABLE conversation_labels (
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  label TEXT NOT NULL COLLATE NOCASE,
  shop_id INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (conversation_id, label)
);
CREATE INDEX idx_conversation_labels_shop_label ON conversation_labels (shop_id, label, conversation_id);

-- +goose Down
DROP TABLE conversation_labels;
ALTER TABLE conversations DROP COLUMN labels;
