-- A call carries its guide (申报指南): text an enterprise reads before applying, and files
-- (the guide as issued, forms to fill in) it can download.
ALTER TABLE calls ADD COLUMN guide TEXT NOT NULL DEFAULT '';

CREATE TABLE call_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (call_id, file_name)
);
