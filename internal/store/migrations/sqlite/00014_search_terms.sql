-- +goose Up
CREATE TABLE conversation_terms (
  shop_id INTEGER NOT NULL,
  term TEXT NOT NULL,
  conversation_id INTEGER NOT NULL,
  PRIMARY KEY (shop_id, term, conversation_id)
) WITHOUT ROWID;
CREATE INDEX idx_customers_shop_external ON customers (shop_id, external_id);

-- +goose Down
DROP INDEX idx_customers_shop_external;
DROP TABLE conversation_terms;
