-- +goose Up
-- Ordered ranges for the inbox list's most common views: a stage tab with any status,
-- and one agent's (or the unassigned) conversations with any status, newest activity
-- first, so a page is read from the index without sorting.
CREATE INDEX idx_conversations_shop_stage_activity ON conversations (shop_id, stage, last_message_at, id);
CREATE INDEX idx_conversations_shop_assignee_activity ON conversations (shop_id, assignee_id, last_message_at, id);

-- +goose Down
DROP INDEX idx_conversations_shop_assignee_activity ON conversations;
DROP INDEX idx_conversations_shop_stage_activity ON conversations;
