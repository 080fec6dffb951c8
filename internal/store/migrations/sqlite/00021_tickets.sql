-- +goose Up
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  owner_id INTEGER NOT NULL,
  created_by INTEGER NOT NULL,
  due_at DATETIME NOT NULL,
  remind_at DATETIME NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT '',
  outcome_message_id INTEGER NULL,
  closed_by INTEGER NULL,
  closed_at DATETIME NULL,
  due_reminded_at DATETIME NULL,
  overdue_reminded_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_tickets_shop_status_due ON tickets (shop_id, status, due_at, id);
CREATE INDEX idx_tickets_owner ON tickets (owner_id, status, due_at);
CREATE INDEX idx_tickets_conversation ON tickets (conversation_id, id);
CREATE INDEX idx_tickets_remind ON tickets (status, remind_at);
CREATE INDEX idx_tickets_due ON tickets (status, due_at);

-- +goose Down
DROP TABLE tickets;
