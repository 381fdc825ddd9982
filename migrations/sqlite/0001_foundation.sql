-- Foundation: regions, plans as data, indicators, targets and observations with history.
-- Dates are ISO-8601 text (YYYY-MM-DD), timestamps RFC 3339 in UTC: the same in both backends.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    parent_code TEXT REFERENCES regions (code),
    kind        TEXT NOT NULL CHECK (kind IN ('province', 'city', 'county', 'zone')),
    position    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL REFERENCES regions (code),
    start_year  BIGINT NOT NULL,
    end_year    BIGINT NOT NULL,
    preamble    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    loaded_by   TEXT NOT NULL,
    loaded_at   TEXT NOT NULL
);

-- Sections, groups and measures of the plan text, in the plan's own order.
CREATE TABLE plan_items (
    plan_id  BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    level    TEXT NOT NULL CHECK (level IN ('section', 'group', 'measure')),
    code     TEXT NOT NULL DEFAULT '',
    title    TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    body     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, position)
);

CREATE TABLE indicators (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('manual', 'formula', 'registry_count')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'none')),
    formula     TEXT,
    count_spec  TEXT
);

CREATE TABLE targets (
    plan_id        BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code           TEXT NOT NULL,
    position       BIGINT NOT NULL,
    measure_code   TEXT,
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    kind           TEXT NOT NULL CHECK (kind IN ('quantity', 'milestone')),
    comparator     TEXT NOT NULL CHECK (comparator IN ('>=', '<=')),
    baseline_value DOUBLE PRECISION,
    baseline_date  TEXT,
    target_value   DOUBLE PRECISION NOT NULL,
    stretch_value  DOUBLE PRECISION,
    deadline       TEXT NOT NULL,
    annual         BIGINT NOT NULL DEFAULT 0,
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, code)
);

CREATE TABLE target_milestones (
    plan_id     BIGINT NOT NULL,
    target_code TEXT NOT NULL,
    date        TEXT NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (plan_id, target_code, date),
    FOREIGN KEY (plan_id, target_code) REFERENCES targets (plan_id, code) ON DELETE CASCADE
);

CREATE TABLE target_regions (
    plan_id      BIGINT NOT NULL,
    target_code  TEXT NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    target_value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (plan_id, target_code, region_code),
    FOREIGN KEY (plan_id, target_code) REFERENCES targets (plan_id, code) ON DELETE CASCADE
);

-- One row per file (or form) that changed data, so every figure can name where it came from.
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    row_count   BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- The current value of each indicator × region × period.
CREATE TABLE observations (
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    period         TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    value          DOUBLE PRECISION NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    entered_by     TEXT NOT NULL,
    entered_at     TEXT NOT NULL,
    batch_id       BIGINT REFERENCES import_batches (id),
    revision       BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (indicator_code, region_code, period)
);

CREATE INDEX observations_region ON observations (region_code, indicator_code);

-- Superseded values: a revision never destroys what was there before.
CREATE TABLE observation_revisions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_code TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    period         TEXT NOT NULL,
    value          DOUBLE PRECISION NOT NULL,
    source         TEXT NOT NULL,
    note           TEXT NOT NULL,
    entered_by     TEXT NOT NULL,
    entered_at     TEXT NOT NULL,
    batch_id       BIGINT,
    revision       BIGINT NOT NULL,
    superseded_at  TEXT NOT NULL
);

CREATE INDEX observation_revisions_key ON observation_revisions (indicator_code, region_code, period);
