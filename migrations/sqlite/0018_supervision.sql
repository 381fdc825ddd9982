-- Task supervision and successive plans (issue 16).
--
-- Accounts of responsible units: role 'unit', their unit's code in the organisation column
-- banks already use (bank_org: the organisation an account acts for). SQLite changes a CHECK
-- only by rebuilding the table, as in 0006.
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    organisation         TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'bureau', 'county', 'enterprise', 'bank', 'expert', 'unit')),
    region_code          TEXT REFERENCES regions (code),
    uscc                 TEXT,
    bank_org             TEXT,
    password_hash        TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 1,
    disabled             BIGINT NOT NULL DEFAULT 0,
    created_by           TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL,
    totp_secret          TEXT,
    totp_pending         TEXT,
    totp_step            BIGINT NOT NULL DEFAULT 0,
    totp_enrolled_at     TEXT
);
INSERT INTO users_new SELECT id, username, display_name, phone, email, organisation, role,
    region_code, uscc, bank_org, password_hash, must_change_password, disabled, created_by,
    created_at, password_changed_at, totp_secret, totp_pending, totp_step, totp_enrolled_at
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE second_factor_roles_new (
    role TEXT PRIMARY KEY CHECK (role IN ('admin', 'bureau', 'county', 'enterprise', 'bank', 'expert', 'unit'))
);
INSERT INTO second_factor_roles_new SELECT role FROM second_factor_roles;
DROP TABLE second_factor_roles;
ALTER TABLE second_factor_roles_new RENAME TO second_factor_roles;

-- Responsible units (责任单位): departments of the city government, county governments and the
-- bureau's own sections. Kept across plans: a unit's accounts and reports outlive a plan.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('department', 'county', 'section', 'other')),
    region_code TEXT REFERENCES regions (code),
    position    BIGINT NOT NULL DEFAULT 0
);

-- A measure's tasks, replaced with the plan; reports below are keyed by task code and kept.
CREATE TABLE plan_tasks (
    plan_id      BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    measure_code TEXT NOT NULL,
    position     BIGINT NOT NULL,
    title        TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    cadence      TEXT NOT NULL CHECK (cadence IN ('month', 'quarter', 'year')),
    PRIMARY KEY (plan_id, code)
);

CREATE TABLE plan_task_units (
    plan_id   BIGINT NOT NULL,
    task_code TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES units (code),
    lead      BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (plan_id, task_code, unit_code),
    FOREIGN KEY (plan_id, task_code) REFERENCES plan_tasks (plan_id, code) ON DELETE CASCADE
);
CREATE INDEX plan_task_units_unit ON plan_task_units (unit_code);

CREATE TABLE plan_task_milestones (
    plan_id   BIGINT NOT NULL,
    task_code TEXT NOT NULL,
    date      TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (plan_id, task_code, date),
    FOREIGN KEY (plan_id, task_code) REFERENCES plan_tasks (plan_id, code) ON DELETE CASCADE
);

-- A lead unit's progress report for one period of a task. One per unit and period: a
-- returned report is corrected in place, its earlier wording kept in the audit trail.
CREATE TABLE task_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      BIGINT NOT NULL REFERENCES plans (id),
    task_code    TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES units (code),
    period       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    progress     TEXT NOT NULL,
    percent      BIGINT NOT NULL CHECK (percent BETWEEN 0 AND 100),
    problems     TEXT NOT NULL DEFAULT '',
    comment      TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    submitted_at TEXT,
    reviewed_by  TEXT,
    reviewed_at  TEXT,
    UNIQUE (plan_id, task_code, unit_code, period)
);
CREATE INDEX task_reports_unit ON task_reports (unit_code, status);

-- Evidence files, kept in the database like applications' attachments.
CREATE TABLE task_report_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id    BIGINT NOT NULL REFERENCES task_reports (id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX task_report_files_report ON task_report_files (report_id);

-- 督办: a dated reminder the bureau issues to a unit for an overdue report, numbered per year.
CREATE TABLE task_reminders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    BIGINT NOT NULL REFERENCES plans (id),
    task_code  TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES units (code),
    period     TEXT NOT NULL,
    year       BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    text       TEXT NOT NULL,
    respond_by TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX task_reminders_unit ON task_reminders (unit_code);

-- Successive plans: a target may carry forward one of an earlier plan; every load or publish
-- of a plan is a revision with its file, who and when; drafts are edited before publishing.
ALTER TABLE targets ADD COLUMN continues TEXT;

CREATE TABLE plan_revisions (
    plan_id      BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    revision     BIGINT NOT NULL,
    source       TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, revision)
);
-- Plans loaded before revisions were kept begin with the file they were loaded from.
INSERT INTO plan_revisions (plan_id, revision, source, published_by, published_at)
    SELECT id, 1, source, loaded_by, loaded_at FROM plans;

CREATE TABLE plan_drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,
    based_on   BIGINT REFERENCES plans (id),
    source     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
