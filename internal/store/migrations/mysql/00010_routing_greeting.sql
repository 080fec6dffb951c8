-- +goose Up
-- Routing prefers the agent who last served a buyer; the greeting (and anything else the
-- system sends once per conversation) carries a key that the unique index holds to once.
ALTER TABLE customers ADD COLUMN last_agent_id BIGINT UNSIGNED NULL;
ALTER TABLE messages
  ADD COLUMN once_key VARCHAR(32) NULL,
  ADD UNIQUE KEY uq_messages_conversation_once (conversation_id, once_key);

-- +goose Down
ALTER TABLE messages DROP INDEX uq_messages_conversation_once, DROP COLUMN once_key;
ALTER TABLE customers DROP COLUMN last_agent_id;
