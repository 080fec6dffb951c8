-- +goose Up
CREATE TABLE quick_replies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  owner_id INTEGER NULL,
  stage TEXT NOT NULL DEFAULT '',
  step TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_quick_replies_shop_owner ON quick_replies (shop_id, owner_id, position, id);

-- +goose Down
DROP TABLE quick_replies;
