-- Raw tables: one row per call, per utterance, per word, per price mention, per batch run.
-- Times are seconds from the start of the recording; timestamps are UTC.

CREATE TABLE calls (
    call_id             VARCHAR PRIMARY KEY,
    source_path         VARCHAR NOT NULL,
    sha256              VARCHAR,
    status              VARCHAR NOT NULL CHECK (status IN ('ok', 'failed')),
    error               VARCHAR,
    duration_s          DOUBLE,
    channels            INTEGER,
    sample_rate         INTEGER,
    recorded_at         TIMESTAMP,
    seller_id           VARCHAR,
    seller_name         VARCHAR,
    account             VARCHAR,
    opportunity_id      VARCHAR,
    outcome             VARCHAR,
    seller_channel      VARCHAR,
    num_speakers        INTEGER,
    language            VARCHAR,
    asr_model           VARCHAR,
    diarization_backend VARCHAR,
    classifier          VARCHAR,
    role_method         VARCHAR,
    role_confidence     DOUBLE,
    pipeline_version    VARCHAR,
    processed_at        TIMESTAMP NOT NULL,
    run_id              VARCHAR
);

CREATE TABLE utterances (
    call_id          VARCHAR NOT NULL,
    idx              INTEGER NOT NULL,
    speaker          VARCHAR NOT NULL,
    role             VARCHAR,
    start_s          DOUBLE NOT NULL,
    end_s            DOUBLE NOT NULL,
    text             VARCHAR NOT NULL,
    label            VARCHAR CHECK (label IN ('discovery', 'product_push', 'other')),
    label_confidence DOUBLE,
    is_question      BOOLEAN NOT NULL,
    price_mention    BOOLEAN NOT NULL,
    PRIMARY KEY (call_id, idx)
);

CREATE TABLE words (
    call_id     VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    start_s     DOUBLE NOT NULL,
    end_s       DOUBLE NOT NULL,
    word        VARCHAR NOT NULL,
    probability DOUBLE,
    speaker     VARCHAR,
    PRIMARY KEY (call_id, idx)
);

CREATE TABLE price_mentions (
    call_id       VARCHAR NOT NULL,
    idx           INTEGER NOT NULL,
    utterance_idx INTEGER NOT NULL,
    start_s       DOUBLE NOT NULL,
    speaker       VARCHAR NOT NULL,
    role          VARCHAR,
    text          VARCHAR NOT NULL,
    cue           VARCHAR,
    amount        DOUBLE,
    currency      VARCHAR,
    period        VARCHAR,
    PRIMARY KEY (call_id, idx)
);

CREATE TABLE call_metrics (
    call_id                    VARCHAR PRIMARY KEY,
    duration_s                 DOUBLE,
    speech_s                   DOUBLE,
    n_speakers                 INTEGER,
    seller_talk_s              DOUBLE,
    buyer_talk_s               DOUBLE,
    seller_talk_ratio          DOUBLE,
    seller_turns               INTEGER,
    buyer_turns                INTEGER,
    discovery_turns            INTEGER,
    product_push_turns         INTEGER,
    other_turns                INTEGER,
    discovery_share            DOUBLE,
    seller_questions           INTEGER,
    buyer_questions            INTEGER,
    longest_seller_monologue_s DOUBLE,
    longest_buyer_story_s      DOUBLE,
    interactivity              DOUBLE,
    patience_s                 DOUBLE,
    first_discovery_s          DOUBLE,
    first_product_push_s       DOUBLE,
    pitch_before_discovery     BOOLEAN,
    first_price_s              DOUBLE,
    first_price_frac           DOUBLE,
    first_price_by             VARCHAR,
    price_mentions             INTEGER,
    price_before_discovery     BOOLEAN,
    seller_wpm                 DOUBLE
);

CREATE TABLE runs (
    run_id           VARCHAR PRIMARY KEY,
    started_at       TIMESTAMP NOT NULL,
    ended_at         TIMESTAMP,
    status           VARCHAR NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    archive          VARCHAR,
    pipeline_version VARCHAR,
    config           VARCHAR,
    discovered       INTEGER,
    processed        INTEGER,
    skipped          INTEGER,
    failed           INTEGER,
    audio_s          DOUBLE,
    error            VARCHAR
);
