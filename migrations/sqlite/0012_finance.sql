-- Indicators may read tech finance's records (kind 'records': tech finance's, later the R&D surveys'); the table is rebuilt as in
-- 0006, the way SQLite documents a CHECK change.
CREATE TABLE indicators_new (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('manual', 'formula', 'registry_count', 'ledger', 'records')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'none')),
    formula     TEXT,
    -- The filter of a registry count or a ledger sum, as JSON; a finance indicator's measure.
    count_spec  TEXT
);
INSERT INTO indicators_new (code, name, name_en, unit, description, kind, aggregation, formula, count_spec)
SELECT code, name, name_en, unit, description, kind, aggregation, formula, count_spec FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;

-- Tech finance (plan §三(六)): partner banks and their agreements, the credit risk reserve as a
-- ledger, the pool of enterprises (admitted online or imported), the banks' loans with their
-- monthly history, compensation claims and recoveries, and the seed fund.

CREATE TABLE partner_banks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Shares in basis points of the lost principal (3000 = 30%); money in fen; every cap optional.
CREATE TABLE bank_agreements (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_id                BIGINT NOT NULL REFERENCES partner_banks (id),
    starts_on              TEXT NOT NULL,
    ends_on                TEXT NOT NULL,
    share_bp               BIGINT NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    bonus_share_bp         BIGINT CHECK (bonus_share_bp BETWEEN 0 AND 10000),
    cap_per_loan_fen       BIGINT CHECK (cap_per_loan_fen >= 0),
    cap_per_enterprise_fen BIGINT CHECK (cap_per_enterprise_fen >= 0),
    cap_per_bank_year_fen  BIGINT CHECK (cap_per_bank_year_fen >= 0),
    -- The bank's pool loans may reach this multiple of the reserve.
    total_multiple         REAL CHECK (total_multiple > 0),
    max_loan_fen           BIGINT CHECK (max_loan_fen > 0),
    rate_ceiling_bp        BIGINT CHECK (rate_ceiling_bp > 0),
    -- Certificate kinds an enterprise must hold, comma-separated; empty: any.
    eligible_kinds         TEXT NOT NULL DEFAULT '',
    overdue_days           BIGINT CHECK (overdue_days >= 0),
    created_by             TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX bank_agreements_bank ON bank_agreements (bank_id, starts_on);

-- The pool's entry rule (CEL) and how long a membership admitted online lasts. By default a
-- technology enterprise of the city: one holding a valid certificate (high-tech enterprise,
-- its cultivation pool, tech SME, …) or registered with a high-tech field.
CREATE TABLE pool_rule (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    rule            TEXT NOT NULL,
    validity_months BIGINT NOT NULL CHECK (validity_months > 0),
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO pool_rule (id, rule, validity_months, updated_by, updated_at) VALUES
    (1, 'in_region && (size(certificates) > 0 || enterprise.hitech_field != "")',
     24, 'system', '2017-01-01T00:00:00Z');

CREATE TABLE pool_applications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc           TEXT NOT NULL,
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'recommended', 'admitted', 'declined')),
    requested_fen  BIGINT NOT NULL CHECK (requested_fen > 0),
    purpose        TEXT NOT NULL DEFAULT '',
    contact        TEXT NOT NULL DEFAULT '',
    -- What the form showed from the registries when it was sent (certificates, facts), as JSON.
    prefill        TEXT NOT NULL DEFAULT '{}',
    submitted_by   TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    recommended_by TEXT,
    recommended_at TEXT,
    decided_by     TEXT,
    decided_at     TEXT,
    comment        TEXT NOT NULL DEFAULT ''
);
-- One application under review per enterprise.
CREATE UNIQUE INDEX pool_applications_one_open ON pool_applications (uscc)
    WHERE status IN ('submitted', 'recommended');

CREATE TABLE pool_application_banks (
    application_id BIGINT NOT NULL REFERENCES pool_applications (id),
    bank_id        BIGINT NOT NULL REFERENCES partner_banks (id),
    PRIMARY KEY (application_id, bank_id)
);

CREATE TABLE pool_members (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc           TEXT NOT NULL,
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    admitted_on    TEXT NOT NULL,
    left_on        TEXT,
    valid_until    TEXT,
    bank_id        BIGINT REFERENCES partner_banks (id),
    application_id BIGINT REFERENCES pool_applications (id),
    file_name      TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (uscc, admitted_on),
    CHECK (left_on IS NULL OR left_on >= admitted_on)
);
CREATE INDEX pool_members_region ON pool_members (region_code, admitted_on);

CREATE TABLE loans (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_no    TEXT NOT NULL UNIQUE,
    bank_id        BIGINT NOT NULL REFERENCES partner_banks (id),
    uscc           TEXT NOT NULL,
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    issued_on      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    balance_fen    BIGINT NOT NULL CHECK (balance_fen >= 0),
    classification TEXT NOT NULL CHECK (classification IN ('normal', 'special_mention', 'substandard', 'doubtful', 'loss')),
    guarantee      TEXT NOT NULL DEFAULT '',
    file_name      TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    revision       BIGINT NOT NULL DEFAULT 1,
    CHECK (balance_fen <= amount_fen),
    CHECK (due_on >= issued_on)
);
CREATE INDEX loans_bank ON loans (bank_id, issued_on);
CREATE INDEX loans_uscc ON loans (uscc, issued_on);

-- Each revision of a loan as a bank's file reported it; the first is the loan as first sent.
CREATE TABLE loan_history (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    loan_id        BIGINT NOT NULL REFERENCES loans (id),
    revision       BIGINT NOT NULL,
    balance_fen    BIGINT NOT NULL,
    classification TEXT NOT NULL,
    file_name      TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (loan_id, revision)
);

CREATE TABLE compensation_claims (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    loan_id        BIGINT NOT NULL REFERENCES loans (id),
    bank_id        BIGINT NOT NULL REFERENCES partner_banks (id),
    agreement_id   BIGINT NOT NULL REFERENCES bank_agreements (id),
    status         TEXT NOT NULL CHECK (status IN ('claimed', 'reviewed', 'approved', 'paid', 'refused')),
    principal_fen  BIGINT NOT NULL CHECK (principal_fen > 0),
    share_bp       BIGINT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    rule_zh        TEXT NOT NULL,
    rule_en        TEXT NOT NULL,
    claimed_by     TEXT NOT NULL,
    claimed_at     TEXT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    approved_by    TEXT,
    approved_at    TEXT,
    paid_on        TEXT,
    refused_reason TEXT NOT NULL DEFAULT ''
);
-- A loan is compensated once: one claim that is not refused.
CREATE UNIQUE INDEX compensation_claims_once ON compensation_claims (loan_id)
    WHERE status <> 'refused';

CREATE TABLE recoveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id      BIGINT NOT NULL REFERENCES compensation_claims (id),
    recovered_fen BIGINT NOT NULL CHECK (recovered_fen > 0),
    returned_fen  BIGINT NOT NULL CHECK (returned_fen >= 0),
    occurred_on   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);

-- The reserve: contributions by source, compensation paid out, recoveries returned.
CREATE TABLE reserve_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entry       TEXT NOT NULL CHECK (entry IN ('contribution', 'compensation', 'recovery')),
    source      TEXT NOT NULL DEFAULT '' CHECK (source IN ('', 'province', 'city', 'county')),
    region_code TEXT REFERENCES regions (code),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen > 0),
    occurred_on TEXT NOT NULL,
    claim_id    BIGINT REFERENCES compensation_claims (id),
    recovery_id BIGINT REFERENCES recoveries (id),
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
-- A claim is paid out of the reserve once.
CREATE UNIQUE INDEX reserve_entries_paid_once ON reserve_entries (claim_id)
    WHERE entry = 'compensation';
CREATE INDEX reserve_entries_date ON reserve_entries (occurred_on);

CREATE TABLE seed_funds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    committed_fen  BIGINT NOT NULL CHECK (committed_fen > 0),
    paid_in_fen    BIGINT NOT NULL DEFAULT 0 CHECK (paid_in_fen >= 0),
    established_on TEXT NOT NULL,
    -- The oldest an enterprise may be (whole years since founding) to be invested in.
    max_age_years  BIGINT NOT NULL CHECK (max_age_years > 0),
    manager        TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK (paid_in_fen <= committed_fen)
);

CREATE TABLE seed_investments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id      BIGINT NOT NULL REFERENCES seed_funds (id),
    uscc         TEXT NOT NULL,
    name         TEXT NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    round        TEXT NOT NULL CHECK (round IN ('initial', 'follow_on')),
    invested_on  TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    age_years    BIGINT NOT NULL,
    -- Co-investors and what each put in, as JSON [{"name": …, "amount_fen": …}].
    co_investors TEXT NOT NULL DEFAULT '[]',
    private_fen  BIGINT NOT NULL DEFAULT 0 CHECK (private_fen >= 0),
    exited_on    TEXT,
    proceeds_fen BIGINT CHECK (proceeds_fen >= 0),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
