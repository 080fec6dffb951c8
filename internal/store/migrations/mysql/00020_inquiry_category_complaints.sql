-- +goose Up
-- Every inquiry is classified (DOMAIN.md rule 5): consultation, order, logistics,
-- return_refund or complaint; '' until an agent classifies it.
ALTER TABLE conversations
  ADD COLUMN category VARCHAR(16) NOT NULL DEFAULT '',
  ADD KEY idx_conversations_shop_category (shop_id, category, last_message_at, id);

-- A complaint is registered when a chat is classified as one. It must be answered (the
-- chat resolved) before deadline_at; repeat_of names the buyer's answered complaint it
-- repeats within the shop's window. Whether and when it was answered is read from the
-- conversation's resolved events, never stored twice.
CREATE TABLE complaints (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  agent_id BIGINT UNSIGNED NULL,
  opened_by BIGINT UNSIGNED NULL,
  opened_at DATETIME(6) NOT NULL,
  deadline_at DATETIME(6) NOT NULL,
  repeat_of BIGINT UNSIGNED NULL,
  withdrawn_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_complaints_shop_opened (shop_id, opened_at),
  KEY idx_complaints_conversation (conversation_id, opened_at),
  KEY idx_complaints_customer (customer_id, opened_at),
  CONSTRAINT fk_complaints_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE complaints;
ALTER TABLE conversations DROP KEY idx_conversations_shop_category, DROP COLUMN category;
