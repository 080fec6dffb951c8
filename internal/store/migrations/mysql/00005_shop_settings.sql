-- +goose Up
-- A shop's own rules (time zone, routing limits, reminder offsets...) as one JSON
-- document of sections; unset values take their defaults in code.
CREATE TABLE shop_settings (
  shop_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  settings MEDIUMTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_shop_settings_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE shop_settings;
