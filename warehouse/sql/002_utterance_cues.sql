-- The cue phrases behind each seller label.
ALTER TABLE utterances ADD COLUMN cues VARCHAR[];
