-- +goose Up
-- What happened to a conversation besides its messages (assignments, stage changes,
-- resolves and reopens): shown in the thread, and the source of the reports.
CREATE TABLE conversation_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(32) NOT NULL,
  actor_id BIGINT UNSIGNED NULL,
  data MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_conversation_events_conversation (conversation_id, id),
  KEY idx_conversation_events_shop_kind_time (shop_id, kind, created_at),
  CONSTRAINT fk_conversation_events_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE conversation_events;
