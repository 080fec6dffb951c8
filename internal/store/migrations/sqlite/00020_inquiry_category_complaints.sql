-- +goose Up
ALTER TABLE conversations ADD COLUMN category TEXT NOT NULL DEFAULT '';
CREATE INDEX idx_conversations_shop_category ON conversations (shop_id, category, last_message_at, id);

CREATE TABLE complaints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  customer_id INTEGER NOT NULL,
  agent_id INTEGER NULL,
  opened_by INTEGER NULL,
  opened_at DATETIME NOT NULL,
  deadline_at DATETIME NOT NULL,
  repeat_of INTEGER NULL,
  withdrawn_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_complaints_shop_opened ON complaints (shop_id, opened_at);
CREATE INDEX idx_complaints_conversation ON complaints (conversation_id, opened_at);
CREATE INDEX idx_complaints_customer ON complaints (customer_id, opened_at);

-- +goose Down
DROP TABLE complaints;
DROP INDEX idx_conversations_shop_category;
ALTER TABLE conversations DROP COLUMN category;
