-- The seller's team (manifest column `team`), and the smallest group the won-versus-lost view
-- reports an interval for (setting min_outcome_calls, written by every batch).
ALTER TABLE calls ADD COLUMN team VARCHAR;
ALTER TABLE report_settings ADD COLUMN min_outcome_calls INTEGER DEFAULT 10;
UPDATE report_settings SET min_outcome_calls = 10;
