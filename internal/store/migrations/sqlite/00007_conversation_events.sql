-- +goose Up
CREATE TABLE conversation_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  kind TEXT NOT NULL,
  actor_id INTEGER NULL,
  data TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_conversation_events_conversation ON conversation_events (conversation_id, id);
CREATE INDEX idx_conversation_events_shop_kind_time ON conversation_events (shop_id, kind, created_at);

-- +goose Down
DROP TABLE conversation_events;
