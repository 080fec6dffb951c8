-- +goose Up
-- What staff must see and acknowledge (packer alerts, refund reminders, stuck parcels,
-- tickets due). The unique key per shop keeps a repeated trigger from doubling an alert;
-- open alerts due for a repeat are found through (status, next_notify_at).
CREATE TABLE alerts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(32) NOT NULL,
  audience VARCHAR(16) NOT NULL,
  user_id BIGINT UNSIGNED NULL,
  order_id BIGINT UNSIGNED NULL,
  conversation_id BIGINT UNSIGNED NULL,
  dedup_key VARCHAR(191) NOT NULL,
  summary VARCHAR(512) NOT NULL,
  detail MEDIUMTEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  raised_by BIGINT UNSIGNED NULL,
  acknowledged_by BIGINT UNSIGNED NULL,
  acknowledged_at DATETIME(6) NULL,
  notify_count INT NOT NULL DEFAULT 0,
  next_notify_at DATETIME(6) NULL,
  escalated_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_alerts_shop_dedup (shop_id, dedup_key),
  KEY idx_alerts_shop_audience (shop_id, audience, status, id),
  KEY idx_alerts_due (status, next_notify_at),
  KEY idx_alerts_order (order_id),
  KEY idx_alerts_conversation (conversation_id),
  CONSTRAINT fk_alerts_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE alerts;
