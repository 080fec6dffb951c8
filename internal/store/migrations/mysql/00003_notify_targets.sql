-- +goose Up
-- Staff notification targets: a shop's WeCom group robot or DingTalk robot, and which
-- roles its messages are for. The webhook URL and signing secret are stored encrypted.
CREATE TABLE notify_targets (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(32) NOT NULL,
  config_enc VARBINARY(4096) NOT NULL,
  audience VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_notify_targets_shop (shop_id),
  CONSTRAINT fk_notify_targets_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE notify_targets;
