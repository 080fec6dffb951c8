-- +goose Up
CREATE TABLE logistics_providers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  provider TEXT NOT NULL,
  config_enc BLOB NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_logistics_providers_shop ON logistics_providers (shop_id, provider);

CREATE TABLE parcels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  channel_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  carrier TEXT NOT NULL,
  carrier_code TEXT NOT NULL DEFAULT '',
  number TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  provider_ref TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  exception TEXT NOT NULL DEFAULT '',
  last_event_at DATETIME NULL,
  last_event_key TEXT NOT NULL DEFAULT '',
  last_event_text TEXT NOT NULL DEFAULT '',
  started_at DATETIME NOT NULL,
  subscribed_at DATETIME NULL,
  delivered_at DATETIME NULL,
  finished_at DATETIME NULL,
  next_poll_at DATETIME NULL,
  stuck_at DATETIME NULL,
  follow_up_at DATETIME NULL,
  due_at DATETIME NULL,
  last_polled_at DATETIME NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_parcels_order_number ON parcels (order_id, number);
CREATE INDEX idx_parcels_due ON parcels (due_at);
CREATE INDEX idx_parcels_shop_number ON parcels (shop_id, number);

CREATE TABLE parcel_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  parcel_id INTEGER NOT NULL REFERENCES parcels (id),
  shop_id INTEGER NOT NULL,
  occurred_at DATETIME NOT NULL,
  text TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  event_key TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_parcel_events_key ON parcel_events (parcel_id, event_key);
CREATE INDEX idx_parcel_events_time ON parcel_events (parcel_id, occurred_at);

-- +goose Down
DROP TABLE parcel_events;
DROP TABLE parcels;
DROP TABLE logistics_providers;
