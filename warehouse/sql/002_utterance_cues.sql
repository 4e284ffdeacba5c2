-- The cue phrases behind each seller label (SPEC section 4).
ALTER TABLE utterances ADD COLUMN cues VARCHAR[];
