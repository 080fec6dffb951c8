-- +goose Up
-- Work another department must do for a buyer (工单), tracked until closed. remind_at is
-- when the owner is reminded before due_at; the *_reminded_at columns make each reminder
-- go out once, whichever worker process sweeps first.
CREATE TABLE tickets (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  category VARCHAR(16) NOT NULL,
  title VARCHAR(191) NOT NULL,
  detail VARCHAR(2000) NOT NULL DEFAULT '',
  owner_id BIGINT UNSIGNED NOT NULL,
  created_by BIGINT UNSIGNED NOT NULL,
  due_at DATETIME(6) NOT NULL,
  remind_at DATETIME(6) NOT NULL,
  status VARCHAR(16) NOT NULL,
  outcome VARCHAR(2000) NOT NULL DEFAULT '',
  outcome_message_id BIGINT UNSIGNED NULL,
  closed_by BIGINT UNSIGNED NULL,
  closed_at DATETIME(6) NULL,
  due_reminded_at DATETIME(6) NULL,
  overdue_reminded_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_tickets_shop_status_due (shop_id, status, due_at, id),
  KEY idx_tickets_owner (owner_id, status, due_at),
  KEY idx_tickets_conversation (conversation_id, id),
  KEY idx_tickets_remind (status, remind_at),
  KEY idx_tickets_due (status, due_at),
  CONSTRAINT fk_tickets_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE tickets;
