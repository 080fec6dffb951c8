-- +goose Up
CREATE INDEX idx_conversations_shop_stage_activity ON conversations (shop_id, stage, last_message_at, id);
CREATE INDEX idx_conversations_shop_assignee_activity ON conversations (shop_id, assignee_id, last_message_at, id);

-- +goose Down
DROP INDEX idx_conversations_shop_assignee_activity;
DROP INDEX idx_conversations_shop_stage_activity;
