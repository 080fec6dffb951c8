-- +goose Up
CREATE TABLE shops (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(191) NOT NULL,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NULL,
  username VARCHAR(191) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(16) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  agent_no VARCHAR(32) NOT NULL DEFAULT '',
  skills VARCHAR(64) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL DEFAULT 'offline',
  max_open INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_users_username (username),
  KEY idx_users_shop_role_status (shop_id, role, status),
  CONSTRAINT fk_users_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_sessions_token (token_hash),
  KEY idx_sessions_user (user_id),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channels (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(32) NOT NULL,
  name VARCHAR(191) NOT NULL,
  config_enc VARBINARY(8192) NOT NULL,
  secret_enc VARBINARY(512) NOT NULL,
  last_in_at DATETIME(6) NULL,
  last_out_at DATETIME(6) NULL,
  last_error VARCHAR(1024) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_channels_shop (shop_id),
  CONSTRAINT fk_channels_shop FOREIGN KEY (shop_id) REFERENCES shops (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NOT NULL,
  external_id VARCHAR(191) NOT NULL,
  name VARCHAR(191) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_customers_channel_external (channel_id, external_id),
  KEY idx_customers_shop_name (shop_id, name),
  CONSTRAINT fk_customers_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One conversation per (channel, buyer): a resolved one is reopened by the buyer's next message.
-- The inbox lists by shop, newest activity first, filtered by stage/status/assignee.
CREATE TABLE conversations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  stage VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  assignee_id BIGINT UNSIGNED NULL,
  last_message_at DATETIME(6) NOT NULL,
  last_message_preview VARCHAR(255) NOT NULL DEFAULT '',
  unread_count INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_conversations_channel_customer (channel_id, customer_id),
  KEY idx_conversations_shop_stage_status (shop_id, stage, status, last_message_at, id),
  KEY idx_conversations_shop_assignee (shop_id, assignee_id, status, last_message_at, id),
  KEY idx_conversations_shop_activity (shop_id, last_message_at, id),
  KEY idx_conversations_shop_updated (shop_id, updated_at),
  KEY idx_conversations_customer (customer_id),
  CONSTRAINT fk_conversations_channel FOREIGN KEY (channel_id) REFERENCES channels (id),
  CONSTRAINT fk_conversations_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- external_id is the platform's message id: the unique key makes redeliveries a no-op.
CREATE TABLE messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  direction VARCHAR(8) NOT NULL,
  type VARCHAR(16) NOT NULL,
  text MEDIUMTEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  external_id VARCHAR(191) NULL,
  remote_id VARCHAR(191) NOT NULL DEFAULT '',
  sender_id BIGINT UNSIGNED NULL,
  sender_name VARCHAR(191) NOT NULL DEFAULT '',
  error VARCHAR(1024) NOT NULL DEFAULT '',
  override TINYINT(1) NOT NULL DEFAULT 0,
  sent_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_messages_channel_external (channel_id, external_id),
  KEY idx_messages_conversation (conversation_id, id),
  KEY idx_messages_shop_updated (shop_id, updated_at),
  KEY idx_messages_status (status, direction, created_at),
  CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shop_id BIGINT UNSIGNED NOT NULL,
  channel_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  external_id VARCHAR(191) NOT NULL,
  status VARCHAR(16) NOT NULL,
  total VARCHAR(32) NOT NULL DEFAULT '',
  currency VARCHAR(8) NOT NULL DEFAULT '',
  items MEDIUMTEXT NOT NULL,
  address MEDIUMTEXT NOT NULL,
  tracking_carrier VARCHAR(64) NOT NULL DEFAULT '',
  tracking_number VARCHAR(128) NOT NULL DEFAULT '',
  note VARCHAR(1024) NOT NULL DEFAULT '',
  flag VARCHAR(16) NOT NULL DEFAULT 'none',
  platform_updated_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_orders_channel_external (channel_id, external_id),
  KEY idx_orders_customer (customer_id, platform_updated_at),
  KEY idx_orders_shop_external (shop_id, external_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE orders;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE customers;
DROP TABLE channels;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE shops;
