-- +goose Up
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  kind TEXT NOT NULL,
  audience TEXT NOT NULL,
  user_id INTEGER NULL,
  order_id INTEGER NULL,
  conversation_id INTEGER NULL,
  dedup_key TEXT NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT NOT NULL,
  status TEXT NOT NULL,
  raised_by INTEGER NULL,
  acknowledged_by INTEGER NULL,
  acknowledged_at DATETIME NULL,
  notify_count INTEGER NOT NULL DEFAULT 0,
  next_notify_at DATETIME NULL,
  escalated_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_alerts_shop_dedup ON alerts (shop_id, dedup_key);
CREATE INDEX idx_alerts_shop_audience ON alerts (shop_id, audience, status, id);
CREATE INDEX idx_alerts_due ON alerts (status, next_notify_at);
CREATE INDEX idx_alerts_order ON alerts (order_id);
CREATE INDEX idx_alerts_conversation ON alerts (conversation_id);

-- +goose Down
DROP TABLE alerts;
