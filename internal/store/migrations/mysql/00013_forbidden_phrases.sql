-- +goose Up
-- A shop's forbidden phrases (服务忌语). A row in forbidden_phrase_lists says the shop's list
-- was started (from the standard phrases), so a list emptied by the supervisor stays empty.
-- normalized is the phrase as the matcher sees it: two spellings of one phrase are one row.
CREATE TABLE forbidden_phrase_lists (
  shop_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_forbidden_phrase_lists_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE forbidden_phrases (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  phrase VARCHAR(191) NOT NULL,
  normalized VARBINARY(600) NOT NULL,
  standard TINYINT(1) NOT NULL DEFAULT 0,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_forbidden_phrases_shop_normalized (shop_id, normalized),
  CONSTRAINT fk_forbidden_phrases_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE forbidden_phrases;
DROP TABLE forbidden_phrase_lists;
