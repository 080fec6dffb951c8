-- +goose Up
CREATE INDEX idx_messages_shop_created ON messages (shop_id, created_at);

-- +goose Down
DROP INDEX idx_messages_shop_created;
