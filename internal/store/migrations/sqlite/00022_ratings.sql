-- +goose Up
CREATE TABLE ratings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  agent_id INTEGER NULL,
  invite_message_id INTEGER NULL,
  invited_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  status TEXT NOT NULL,
  score INTEGER NULL,
  answer_message_id INTEGER NULL,
  rated_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_ratings_conversation ON ratings (conversation_id, status);
CREATE INDEX idx_ratings_shop_rated ON ratings (shop_id, rated_at);
CREATE INDEX idx_ratings_invite_message ON ratings (invite_message_id);

-- +goose Down
DROP TABLE ratings;
