-- What kind of price talk each mention is (ask, quote, discount, current_spend; DuckDB cannot add
-- a column with a CHECK, the writer only stores these), the top of a spoken range and the unit an
-- amount is per; the kind of each call's first mention.
ALTER TABLE price_mentions ADD COLUMN kind VARCHAR;
ALTER TABLE price_mentions ADD COLUMN amount_high DOUBLE;
ALTER TABLE price_mentions ADD COLUMN unit VARCHAR;
ALTER TABLE call_metrics ADD COLUMN first_price_kind VARCHAR;
