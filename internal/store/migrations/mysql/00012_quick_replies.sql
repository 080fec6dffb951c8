-- +goose Up
-- Quick replies (快捷短语): shop-wide ones (owner_id NULL, kept by the supervisor) and each
-- agent's own, grouped by stage and by the pre-sale flow step.
CREATE TABLE quick_replies (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  owner_id BIGINT UNSIGNED NULL,
  stage VARCHAR(16) NOT NULL DEFAULT '',
  step VARCHAR(32) NOT NULL DEFAULT '',
  title VARCHAR(64) NOT NULL,
  text VARCHAR(2000) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_quick_replies_shop_owner (shop_id, owner_id, position, id),
  CONSTRAINT fk_quick_replies_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE quick_replies;
