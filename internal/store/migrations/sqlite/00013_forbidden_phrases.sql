-- +goose Up
CREATE TABLE forbidden_phrase_lists (
  shop_id INTEGER NOT NULL PRIMARY KEY REFERENCES shops (id),
  created_at DATETIME NOT NULL
);
CREATE TABLE forbidden_phrases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  phrase TEXT NOT NULL,
  normalized TEXT NOT NULL,
  standard INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_forbidden_phrases_shop_normalized ON forbidden_phrases (shop_id, normalized);

-- +goose Down
DROP TABLE forbidden_phrases;
DROP TABLE forbidden_phrase_lists;
