-- Validation reports of files sent through the upload page or the API, kept so the officer can
-- download the report as XLSX after the page that showed it.
CREATE TABLE import_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    row_count   BIGINT NOT NULL,
    dry_run     BIGINT NOT NULL,
    written     BIGINT NOT NULL,
    problems    TEXT NOT NULL
);
CREATE INDEX import_reports_creator ON import_reports (created_by, id);
