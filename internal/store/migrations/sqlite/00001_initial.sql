-- +goose Up
-- The embedded single-machine store: the same tables and keys as migrations/mysql.
CREATE TABLE shops (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created_at DATETIME NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NULL REFERENCES shops (id),
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  agent_no TEXT NOT NULL DEFAULT '',
  skills TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'offline',
  max_open INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_username ON users (username);
CREATE INDEX idx_users_shop_role_status ON users (shop_id, role, status);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_sessions_token ON sessions (token_hash);
CREATE INDEX idx_sessions_user ON sessions (user_id);

CREATE TABLE channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL REFERENCES shops (id),
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  config_enc BLOB NOT NULL,
  secret_enc BLOB NOT NULL,
  last_in_at DATETIME NULL,
  last_out_at DATETIME NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_channels_shop ON channels (shop_id);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL REFERENCES channels (id),
  external_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_customers_channel_external ON customers (channel_id, external_id);
CREATE INDEX idx_customers_shop_name ON customers (shop_id, name);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL REFERENCES channels (id),
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  stage TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee_id INTEGER NULL,
  last_message_at DATETIME NOT NULL,
  last_message_preview TEXT NOT NULL DEFAULT '',
  unread_count INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_conversations_channel_customer ON conversations (channel_id, customer_id);
CREATE INDEX idx_conversations_shop_stage_status ON conversations (shop_id, stage, status, last_message_at, id);
CREATE INDEX idx_conversations_shop_assignee ON conversations (shop_id, assignee_id, status, last_message_at, id);
CREATE INDEX idx_conversations_shop_activity ON conversations (shop_id, last_message_at, id);
CREATE INDEX idx_conversations_shop_updated ON conversations (shop_id, updated_at);
CREATE INDEX idx_conversations_customer ON conversations (customer_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  direction TEXT NOT NULL,
  type TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  external_id TEXT NULL,
  remote_id TEXT NOT NULL DEFAULT '',
  sender_id INTEGER NULL,
  sender_name TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  override INTEGER NOT NULL DEFAULT 0,
  sent_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_messages_channel_external ON messages (channel_id, external_id);
CREATE INDEX idx_messages_conversation ON messages (conversation_id, id);
CREATE INDEX idx_messages_shop_updated ON messages (shop_id, updated_at);
CREATE INDEX idx_messages_status ON messages (status, direction, created_at);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shop_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  external_id TEXT NOT NULL,
  status TEXT NOT NULL,
  total TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL DEFAULT '',
  items TEXT NOT NULL,
  address TEXT NOT NULL,
  tracking_carrier TEXT NOT NULL DEFAULT '',
  tracking_number TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  flag TEXT NOT NULL DEFAULT 'none',
  platform_updated_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_orders_channel_external ON orders (channel_id, external_id);
CREATE INDEX idx_orders_customer ON orders (customer_id, platform_updated_at);
CREATE INDEX idx_orders_shop_external ON orders (shop_id, external_id);

-- +goose Down
DROP TABLE orders;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE customers;
DROP TABLE channels;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE shops;
