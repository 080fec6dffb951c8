-- +goose Up
CREATE TABLE notify_targets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  type TEXT NOT NULL,
  config_enc BLOB NOT NULL,
  audience TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_notify_targets_shop ON notify_targets (shop_id);

-- +goose Down
DROP TABLE notify_targets;
