-- Off-site applicants (issue 18, plan §三(八)25 异地申报): an enterprise registered outside
-- the city with an operating site in one of its counties. It is kept in `enterprises` (what
-- applications, awards and the ledger refer to) under the site's county, marked `offsite`, so
-- counts leave it out unless a target's rule takes it in. Calls say whether they accept it.

ALTER TABLE enterprises ADD COLUMN offsite BIGINT NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN offsite_open BIGINT NOT NULL DEFAULT 0;

CREATE TABLE operating_sites (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    address       TEXT NOT NULL,
    activity      TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (uscc, region_code)
);
CREATE INDEX operating_sites_region ON operating_sites (region_code);

-- Evidence of the site: a lease, a property certificate, a photograph of the plant.
CREATE TABLE operating_site_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id      BIGINT NOT NULL REFERENCES operating_sites (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (site_id, file_name)
);

-- The site an off-site application was made through: its county reviews it.
ALTER TABLE applications ADD COLUMN site_id BIGINT REFERENCES operating_sites (id);
