-- +goose Up
-- The inbox search index: each term (a pair of Chinese characters, or a word) that occurs
-- in a conversation's messages or its buyer's name, written as the messages arrive. A
-- query looks its terms up here instead of scanning message text with LIKE '%...%',
-- which MariaDB can only do row by row (its FULLTEXT has no parser for Chinese).
CREATE TABLE conversation_terms (
  shop_id BIGINT UNSIGNED NOT NULL,
  term VARBINARY(32) NOT NULL,
  conversation_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (shop_id, term, conversation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX idx_customers_shop_external ON customers (shop_id, external_id);

-- +goose Down
DROP INDEX idx_customers_shop_external ON customers;
DROP TABLE conversation_terms;
