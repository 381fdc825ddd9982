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

-- Money committed and paid, one row per award and kind of entry: the unique key makes a
-- second payment of the same award impossible. Rows are never changed or removed.
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    year           BIGINT NOT NULL,
    entry          TEXT NOT NULL CHECK (entry IN ('commitment', 'payment')),
    award_id       BIGINT NOT NULL REFERENCES awards (id),
    uscc           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    occurred_on    TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (award_id, entry)
);
CREATE INDEX ledger_entries_programme ON ledger_entries (programme_code, year);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
