-- +goose Up
CREATE TABLE shop_settings (
  shop_id INTEGER NOT NULL PRIMARY KEY REFERENCES shops (id),
  settings TEXT NOT NULL,
  updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE shop_settings;
