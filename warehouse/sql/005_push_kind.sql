-- Usage versus feature talk: the push kind of every product pitch, and its per-call metrics.
-- Calls written before this migration keep NULL here until they are processed again.
ALTER TABLE utterances ADD COLUMN push_kind VARCHAR;
ALTER TABLE utterances ADD COLUMN push_kind_confidence DOUBLE;
ALTER TABLE call_metrics ADD COLUMN usage_turns INTEGER;
ALTER TABLE call_metrics ADD COLUMN feature_turns INTEGER;
ALTER TABLE call_metrics ADD COLUMN usage_share DOUBLE;
ALTER TABLE call_metrics ADD COLUMN feature_before_discovery BOOLEAN;
