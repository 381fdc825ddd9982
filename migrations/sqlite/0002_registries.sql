-- Registries: enterprises with annual facts, certificates and statuses, innovation platforms.
-- Natural keys make re-imports upserts: USCC, (kind, certificate number), (kind, name, level).

CREATE TABLE enterprises (
    uscc              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    region_code       TEXT NOT NULL REFERENCES regions (code),
    address           TEXT NOT NULL DEFAULT '',
    industry          TEXT NOT NULL DEFAULT '',
    registered_on     TEXT,
    size              TEXT NOT NULL DEFAULT '',
    above_scale       BIGINT NOT NULL DEFAULT 0,
    hitech_field      TEXT NOT NULL DEFAULT '',
    contact           TEXT NOT NULL DEFAULT '',
    -- Who accepted a legacy code that fails its check characters, when one did.
    uscc_confirmed_by TEXT,
    batch_id          BIGINT REFERENCES import_batches (id),
    updated_at        TEXT NOT NULL,
    revision          BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX enterprises_region ON enterprises (region_code);

CREATE TABLE enterprise_facts (
    uscc                   TEXT NOT NULL REFERENCES enterprises (uscc),
    year                   BIGINT NOT NULL,
    revenue                DOUBLE PRECISION,
    rd_expenditure         DOUBLE PRECISION,
    employees              BIGINT,
    st_staff               BIGINT,
    invention_patents      BIGINT,
    hitech_product_revenue DOUBLE PRECISION,
    has_rd_institution     BIGINT,
    batch_id               BIGINT REFERENCES import_batches (id),
    PRIMARY KEY (uscc, year)
);

CREATE TABLE certificates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('hte', 'hte_pool', 'tech_sme', 'hitech_product')),
    number     TEXT NOT NULL,
    uscc       TEXT NOT NULL REFERENCES enterprises (uscc),
    title      TEXT NOT NULL DEFAULT '',
    issued_on  TEXT NOT NULL,
    expires_on TEXT,
    batch      TEXT NOT NULL DEFAULT '',
    revoked_on TEXT,
    batch_id   BIGINT REFERENCES import_batches (id),
    revision   BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, number)
);

CREATE INDEX certificates_uscc ON certificates (uscc);
CREATE INDEX certificates_kind_dates ON certificates (kind, issued_on, expires_on);

CREATE TABLE platform_kinds (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL DEFAULT ''
);

CREATE TABLE platforms (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL REFERENCES platform_kinds (code),
    level         TEXT NOT NULL CHECK (level IN ('city', 'provincial', 'national')),
    name          TEXT NOT NULL,
    host_uscc     TEXT REFERENCES enterprises (uscc),
    host_name     TEXT NOT NULL DEFAULT '',
    region_code   TEXT NOT NULL REFERENCES regions (code),
    recognised_on TEXT NOT NULL,
    document_no   TEXT NOT NULL DEFAULT '',
    revoked_on    TEXT,
    batch_id      BIGINT REFERENCES import_batches (id),
    revision      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, name, level)
);

CREATE INDEX platforms_kind_level ON platforms (kind, level, region_code);

-- Earlier versions of registry rows, as JSON, with the import that replaced them.
CREATE TABLE registry_revisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity        TEXT NOT NULL,
    entity_key    TEXT NOT NULL,
    data          TEXT NOT NULL,
    batch_id      BIGINT REFERENCES import_batches (id),
    superseded_at TEXT NOT NULL
);

CREATE INDEX registry_revisions_key ON registry_revisions (entity, entity_key);
