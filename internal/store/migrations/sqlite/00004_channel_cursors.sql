-- +goose Up
CREATE TABLE channel_cursors (
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  cursor_value TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (channel_id, name)
);

-- +goose Down
DROP TABLE channel_cursors;
