-- +goose Up
ALTER TABLE customers ADD COLUMN last_agent_id INTEGER NULL;
ALTER TABLE messages ADD COLUMN once_key TEXT NULL;
CREATE UNIQUE INDEX uq_messages_conversation_once ON messages (conversation_id, once_key);

-- +goose Down
DROP INDEX uq_messages_conversation_once;
ALTER TABLE messages DROP COLUMN once_key;
ALTER TABLE customers DROP COLUMN last_agent_id;
