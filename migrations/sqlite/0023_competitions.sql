-- The innovation competition (issue 18; plan §四(五)3, 中国创新创业大赛韶关分赛区): entries by
-- track and industry with their files, eligibility screening, rounds scored by experts from the
-- pool, ranking and advancement per track, prizes from the final paid through a reward
-- programme's batch, results published as a portal article.

CREATE TABLE competitions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    year                BIGINT NOT NULL,
    title               TEXT NOT NULL,
    -- The reward programme that pays the prizes; its form is the entry form and the rubric.
    programme_code      TEXT NOT NULL REFERENCES programmes (code),
    description         TEXT NOT NULL DEFAULT '',
    registration_opens  TEXT NOT NULL,
    registration_closes TEXT NOT NULL,
    -- The prize table as JSON: [{"name", "count", "amount_fen"}].
    prizes              TEXT NOT NULL,
    results_article     BIGINT REFERENCES articles (id),
    batch_id            BIGINT REFERENCES award_batches (id),
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    CHECK (registration_opens <= registration_closes)
);

CREATE TABLE competition_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    -- An enterprise's entry carries its credit code; a team not yet registered has none.
    uscc           TEXT REFERENCES enterprises (uscc),
    name           TEXT NOT NULL,
    leader         TEXT NOT NULL DEFAULT '',
    region_code    TEXT NOT NULL REFERENCES regions (code),
    track          TEXT NOT NULL CHECK (track IN ('startup', 'growth')),
    industry       TEXT NOT NULL,
    title          TEXT NOT NULL,
    answers        TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL CHECK (status IN ('registered', 'eligible', 'ineligible')),
    screen_note    TEXT NOT NULL DEFAULT '',
    registered_by  TEXT NOT NULL,
    registered_at  TEXT NOT NULL,
    screened_by    TEXT,
    screened_at    TEXT,
    prize          TEXT,
    prize_fen      BIGINT CHECK (prize_fen >= 0),
    UNIQUE (competition_id, uscc)
);
CREATE INDEX competition_entries_uscc ON competition_entries (uscc);

CREATE TABLE competition_entry_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id     BIGINT NOT NULL REFERENCES competition_entries (id),
    slot         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (entry_id, slot)
);

CREATE TABLE competition_rounds (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    competition_id    BIGINT NOT NULL REFERENCES competitions (id),
    stage             TEXT NOT NULL CHECK (stage IN ('preliminary', 'semifinal', 'final')),
    status            TEXT NOT NULL CHECK (status IN ('scoring', 'closed')),
    experts_per_entry BIGINT NOT NULL CHECK (experts_per_entry BETWEEN 1 AND 9),
    -- How many places of each track advance (not for the final).
    advance           BIGINT,
    opened_by         TEXT NOT NULL,
    opened_at         TEXT NOT NULL,
    closed_by         TEXT,
    closed_at         TEXT,
    UNIQUE (competition_id, stage)
);

CREATE TABLE round_entries (
    round_id  BIGINT NOT NULL REFERENCES competition_rounds (id),
    entry_id  BIGINT NOT NULL REFERENCES competition_entries (id),
    -- The experts' aggregate, once all have scored; the place in the track once closed.
    score     REAL,
    place     BIGINT,
    advanced  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, entry_id)
);

CREATE TABLE round_scores (
    round_id  BIGINT NOT NULL,
    entry_id  BIGINT NOT NULL,
    expert    TEXT NOT NULL REFERENCES experts (username),
    criteria  TEXT NOT NULL DEFAULT '{}',
    total     REAL,
    comment   TEXT NOT NULL DEFAULT '',
    scored_at TEXT,
    PRIMARY KEY (round_id, entry_id, expert),
    FOREIGN KEY (round_id, entry_id) REFERENCES round_entries (round_id, entry_id)
);
CREATE INDEX round_scores_expert ON round_scores (expert);
