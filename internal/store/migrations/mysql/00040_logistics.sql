-- +goose Up
-- A shop's accounts with tracking providers (快递100, AfterShip); credentials encrypted.
CREATE TABLE logistics_providers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  provider VARCHAR(32) NOT NULL,
  config_enc VARBINARY(4096) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_logistics_providers_shop (shop_id, provider),
  CONSTRAINT fk_logistics_providers_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per tracking number of an order. The scheduler's sweep reads only
-- idx_parcels_due (due_at is the earliest of next_poll_at, stuck_at, follow_up_at, or a
-- lease while a check is queued; NULL once nothing is left to do). A push names its
-- parcel by number, found through idx_parcels_shop_number.
CREATE TABLE parcels (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  order_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  carrier VARCHAR(64) NOT NULL,
  carrier_code VARCHAR(32) NOT NULL DEFAULT '',
  number VARCHAR(128) NOT NULL,
  phone VARCHAR(32) NOT NULL DEFAULT '',
  provider VARCHAR(32) NOT NULL DEFAULT '',
  provider_ref VARCHAR(128) NOT NULL DEFAULT '',
  state VARCHAR(24) NOT NULL,
  exception VARCHAR(16) NOT NULL DEFAULT '',
  last_event_at DATETIME(6) NULL,
  last_event_key VARCHAR(64) NOT NULL DEFAULT '',
  last_event_text VARCHAR(512) NOT NULL DEFAULT '',
  started_at DATETIME(6) NOT NULL,
  subscribed_at DATETIME(6) NULL,
  delivered_at DATETIME(6) NULL,
  finished_at DATETIME(6) NULL,
  next_poll_at DATETIME(6) NULL,
  stuck_at DATETIME(6) NULL,
  follow_up_at DATETIME(6) NULL,
  due_at DATETIME(6) NULL,
  last_polled_at DATETIME(6) NULL,
  failures INT NOT NULL DEFAULT 0,
  last_error VARCHAR(512) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_parcels_order_number (order_id, number),
  KEY idx_parcels_due (due_at),
  KEY idx_parcels_shop_number (shop_id, number),
  CONSTRAINT fk_parcels_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A parcel's timeline. Providers re-send the whole history; the unique event key (the
-- event's time and text) stores each line once.
CREATE TABLE parcel_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parcel_id BIGINT UNSIGNED NOT NULL,
  shop_id BIGINT UNSIGNED NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  text VARCHAR(1024) NOT NULL,
  location VARCHAR(255) NOT NULL DEFAULT '',
  status VARCHAR(64) NOT NULL DEFAULT '',
  state VARCHAR(24) NOT NULL DEFAULT '',
  event_key CHAR(32) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_parcel_events_key (parcel_id, event_key),
  KEY idx_parcel_events_time (parcel_id, occurred_at),
  CONSTRAINT fk_parcel_events_parcel FOREIGN KEY (parcel_id) REFERENCES parcels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE parcel_events;
DROP TABLE parcels;
DROP TABLE logistics_providers;
