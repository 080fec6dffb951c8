-- +goose Up
-- Satisfaction: an invitation sent when a chat is resolved (invite_message_id is the
-- outbound message) and the buyer's 1–5 answer, recorded against the agent who resolved
-- it. status: invited, rated, unanswered (the buyer's next message was no rating) or
-- expired (the next message came after expires_at).
CREATE TABLE ratings (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  agent_id BIGINT UNSIGNED NULL,
  invite_message_id BIGINT UNSIGNED NULL,
  invited_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  status VARCHAR(16) NOT NULL,
  score TINYINT NULL,
  answer_message_id BIGINT UNSIGNED NULL,
  rated_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_ratings_conversation (conversation_id, status),
  KEY idx_ratings_shop_rated (shop_id, rated_at),
  KEY idx_ratings_invite_message (invite_message_id),
  CONSTRAINT fk_ratings_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE ratings;
