-- +goose Up
ALTER TABLE orders ADD COLUMN note_category TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN note_sync TEXT NOT NULL DEFAULT 'none';
ALTER TABLE orders ADD COLUMN note_sync_error TEXT NOT NULL DEFAULT '';

CREATE TABLE order_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  flag TEXT NOT NULL,
  note TEXT NOT NULL,
  category TEXT NOT NULL,
  author_id INTEGER NULL,
  sync TEXT NOT NULL,
  sync_error TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_order_notes_order ON order_notes (order_id, id);

-- +goose Down
DROP TABLE order_notes;
ALTER TABLE orders DROP COLUMN note_sync_error;
ALTER TABLE orders DROP COLUMN note_sync;
ALTER TABLE orders DROP COLUMN note_category;
