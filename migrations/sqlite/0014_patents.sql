-- The patent registry (plan target 2.2, 每万人口有效发明专利拥有量): one row a patent, keyed by
-- its application number in canonical form (digits and check character). A patent counts from
-- its grant until the day of its lapse, in its county; holders that are registered enterprises
-- are linked by USCC, the others (universities, individuals) keep only their name.

CREATE TABLE patents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_no TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('invention', 'utility_model', 'design')),
    filed_on       TEXT NOT NULL,
    granted_on     TEXT,
    holder         TEXT NOT NULL,
    uscc           TEXT REFERENCES enterprises (uscc),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    lapsed_on      TEXT,
    batch_id       BIGINT REFERENCES import_batches (id),
    revision       BIGINT NOT NULL DEFAULT 1
);

-- Counting reads every patent (the count index); lists filter by type and county and show
-- the newest grants first; an enterprise's page and the patent subsidy read by holder.
CREATE INDEX patents_kind_region ON patents (kind, region_code, granted_on);
CREATE INDEX patents_uscc ON patents (uscc, granted_on);
