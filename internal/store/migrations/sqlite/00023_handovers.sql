-- +goose Up
CREATE TABLE handovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  user_id INTEGER NOT NULL,
  created_by INTEGER NOT NULL,
  note TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_handovers_shop ON handovers (shop_id, created_at, id);

CREATE TABLE handover_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  handover_id INTEGER NOT NULL REFERENCES handovers (id),
  conversation_id INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  to_user_id INTEGER NULL
);
CREATE INDEX idx_handover_items_handover ON handover_items (handover_id, id);
CREATE INDEX idx_handover_items_conversation ON handover_items (conversation_id);

-- +goose Down
DROP TABLE handover_items;
DROP TABLE handovers;
