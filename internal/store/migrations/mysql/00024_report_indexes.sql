-- +goose Up
-- The supervisor's reports read a shop's messages by time.
ALTER TABLE messages ADD KEY idx_messages_shop_created (shop_id, created_at);

-- +goose Down
ALTER TABLE messages DROP KEY idx_messages_shop_created;
