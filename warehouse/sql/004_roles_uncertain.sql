-- Calls whose seller was identified from the transcript with a confidence below the configured
-- threshold: every metric that depends on who the seller is may be flipped for them.
ALTER TABLE calls ADD COLUMN roles_uncertain BOOLEAN;
