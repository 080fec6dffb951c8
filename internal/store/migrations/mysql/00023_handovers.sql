-- +goose Up
-- Shift handover (交接): the note an agent leaves at the end of a shift, and each open
-- chat handed on with its point of attention and who it went to (NULL: it waited in
-- its stage queue for the next shift).
CREATE TABLE handovers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  created_by BIGINT UNSIGNED NOT NULL,
  note VARCHAR(4000) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_handovers_shop (shop_id, created_at, id),
  CONSTRAINT fk_handovers_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE handover_items (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  handover_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  note VARCHAR(1000) NOT NULL DEFAULT '',
  to_user_id BIGINT UNSIGNED NULL,
  KEY idx_handover_items_handover (handover_id, id),
  KEY idx_handover_items_conversation (conversation_id),
  CONSTRAINT fk_handover_items_handover FOREIGN KEY (handover_id) REFERENCES handovers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE handover_items;
DROP TABLE handovers;
