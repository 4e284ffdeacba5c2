-- Whether personal and payment data were redacted from the call's stored text, and how many values.
ALTER TABLE calls ADD COLUMN pii_redacted BOOLEAN;
ALTER TABLE calls ADD COLUMN pii_redactions INTEGER;
