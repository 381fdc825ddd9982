-- Funding programmes: rules as data, yearly budgets, award batches with review and public
-- notice, objections, and an append-only ledger of commitments and payments.
-- Money is integer fen throughout.

CREATE TABLE programmes (
    code        TEXT PRIMARY KEY,
    plan_id     BIGINT REFERENCES plans (id),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    measure     TEXT,
    from_year   BIGINT NOT NULL,
    to_year     BIGINT,
    event       TEXT,
    once_per    TEXT NOT NULL CHECK (once_per IN ('enterprise', 'event')),
    eligibility TEXT NOT NULL,
    amount      TEXT NOT NULL,
    priority    TEXT,
    notice_days BIGINT NOT NULL DEFAULT 7,
    description TEXT NOT NULL DEFAULT '',
    -- For programmes taking applications: fields, attachments, rubric, instalments (JSON).
    form        TEXT,
    updated_at  TEXT NOT NULL
);

-- A programme's money for a year. The checks make overspending impossible whatever the
-- code does: approvals add to committed_fen with a conditional update, payments to paid_fen.
CREATE TABLE budgets (
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    committed_fen  BIGINT NOT NULL DEFAULT 0 CHECK (committed_fen >= 0),
    paid_fen       BIGINT NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    updated_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (programme_code, year),
    CHECK (committed_fen <= amount_fen),
    CHECK (paid_fen <= committed_fen)
);

CREATE TABLE award_batches (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    status         TEXT NOT NULL
        CHECK (status IN ('submitted', 'reviewed', 'notice', 'approved', 'paid', 'void')),
    notice_start   TEXT,
    notice_end     TEXT,
    paid_on        TEXT,
    payment_ref    TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX award_batches_programme ON award_batches (programme_code, year);

-- Calls for applications (申报指南) of a programme, open between two dates.
CREATE TABLE calls (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    title          TEXT NOT NULL,
    opens_on       TEXT NOT NULL,
    closes_on      TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK (opens_on <= closes_on)
);

CREATE TABLE applications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id       BIGINT NOT NULL REFERENCES calls (id),
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    requested_fen BIGINT NOT NULL DEFAULT 0 CHECK (requested_fen >= 0),
    -- The form's answers as JSON, amounts in fen.
    answers       TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'county_passed',
        'bureau_passed', 'expert_review', 'scored', 'proposed', 'funded', 'reporting',
        'accepted', 'returned', 'rejected')),
    score         DOUBLE PRECISION,
    submitted_at  TEXT,
    updated_at    TEXT NOT NULL
);
CREATE INDEX applications_call ON applications (call_id, status);
CREATE INDEX applications_uscc ON applications (uscc);

-- Attachments are kept in the database, so a backup holds them and an application and its
-- files are written together.
CREATE TABLE application_files (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    slot           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    data           BLOB NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL,
    UNIQUE (application_id, slot)
);

CREATE TABLE application_transitions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    actor          TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL
);
CREATE INDEX application_transitions_app ON application_transitions (application_id, id);

-- The expert pool: accounts of role expert with their fields, affiliation and declared
-- conflicts (USCCs, comma-separated).
CREATE TABLE experts (
    username         TEXT PRIMARY KEY REFERENCES users (username),
    name             TEXT NOT NULL,
    fields           TEXT NOT NULL DEFAULT '',
    affiliation      TEXT NOT NULL DEFAULT '',
    affiliation_uscc TEXT,
    conflicts        TEXT NOT NULL DEFAULT '',
    active           BIGINT NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
);

CREATE TABLE assignments (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    expert         TEXT NOT NULL REFERENCES experts (username),
    assigned_by    TEXT NOT NULL,
    assigned_at    TEXT NOT NULL,
    PRIMARY KEY (application_id, expert)
);

CREATE TABLE scores (
    application_id BIGINT NOT NULL,
    expert         TEXT NOT NULL,
    criteria       TEXT NOT NULL,
    total          DOUBLE PRECISION NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    scored_at      TEXT NOT NULL,
    PRIMARY KEY (application_id, expert),
    FOREIGN KEY (application_id, expert) REFERENCES assignments (application_id, expert)
);

-- Innovation vouchers and the service providers they are redeemed with.
CREATE TABLE voucher_providers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    uscc          TEXT NOT NULL UNIQUE,
    services      TEXT NOT NULL DEFAULT '',
    active        BIGINT NOT NULL DEFAULT 1,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE vouchers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    basis_key      TEXT NOT NULL,
    uscc           TEXT NOT NULL REFERENCES enterprises (uscc),
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    face_fen       BIGINT NOT NULL CHECK (face_fen > 0),
    issued_on      TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('issued', 'redeemed', 'cancelled')),
    provider_id    BIGINT REFERENCES voucher_providers (id),
    contract_no    TEXT NOT NULL DEFAULT '',
    invoice_no     TEXT NOT NULL DEFAULT '',
    invoice_fen    BIGINT,
    subsidy_fen    BIGINT,
    redeemed_on    TEXT,
    redeemed_by    TEXT,
    -- One voucher per entitlement of the programme, and a redemption only by an issued one.
    UNIQUE (programme_code, basis_key),
    CHECK (status <> 'redeemed' OR (provider_id IS NOT NULL AND subsidy_fen IS NOT NULL))
);
CREATE INDEX vouchers_uscc ON vouchers (uscc);

CREATE TABLE awards (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    batch_id       BIGINT NOT NULL REFERENCES award_batches (id),
    basis_key      TEXT NOT NULL,
    uscc           TEXT NOT NULL REFERENCES enterprises (uscc),
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    basis          TEXT NOT NULL,
    event_on       TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    status         TEXT NOT NULL
        CHECK (status IN ('proposed', 'withdrawn', 'approved', 'paid', 'void')),
    -- What the award came from besides a registry event: an application or a voucher.
    application_id BIGINT REFERENCES applications (id),
    voucher_id     BIGINT REFERENCES vouchers (id),
    created_at     TEXT NOT NULL
);
-- The same event is never awarded twice under a programme, whatever the order of imports and
-- batches: only a voided batch frees its events.
CREATE UNIQUE INDEX awards_once ON awards (programme_code, basis_key) WHERE status <> 'void';
CREATE INDEX awards_batch ON awards (batch_id);
CREATE INDEX awards_uscc ON awards (uscc);

CREATE TABLE batch_transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id    BIGINT NOT NULL REFERENCES award_batches (id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX batch_transitions_batch ON batch_transitions (batch_id, id);

-- Objections raised by anyone during a public notice; each must be resolved before approval.
CREATE TABLE objections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     BIGINT NOT NULL REFERENCES award_batches (id),
    award_id     BIGINT REFERENCES awards (id),
    name         TEXT NOT NULL DEFAULT '',
    contact      TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
    resolution   TEXT NOT NULL DEFAULT '',
    resolved_by  TEXT,
    resolved_at  TEXT,
    submitted_at TEXT NOT NULL,
    client       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX objections_batch ON objections (batch_id, id);

-- Money committed and paid: one commitment per award, one payment per award and instalment;
-- the unique key makes a second payment of the same instalment impossible. Rows are never
-- changed or removed.
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    entry          TEXT NOT NULL CHECK (entry IN ('commitment', 'payment')),
    award_id       BIGINT NOT NULL REFERENCES awards (id),
    uscc           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    instalment     BIGINT NOT NULL DEFAULT 1,
    occurred_on    TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (award_id, entry, instalment)
);
CREATE INDEX ledger_entries_programme ON ledger_entries (programme_code, year);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
