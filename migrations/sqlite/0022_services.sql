-- The SME service platform (issue 18; plan §三(一)1, §三(三)8): service providers by kind, a
-- catalogue of their services, requests from enterprises with the provider's response,
-- completion and the enterprise's rating, vouchers redeemed against a completed request; and
-- shared large instruments (仪器共享) with bookings, approval and the hours used.
-- A provider or an instrument's owner acts through an enterprise account with its credit code.

ALTER TABLE voucher_providers ADD COLUMN kind TEXT NOT NULL DEFAULT 'other'
    CHECK (kind IN ('tax', 'finance', 'ip', 'testing', 'transfer', 'rnd', 'other'));

CREATE TABLE service_offerings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id BIGINT NOT NULL REFERENCES voucher_providers (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- The price as a number of fen and what it is for (per item, per hour …).
    price_fen   BIGINT NOT NULL CHECK (price_fen >= 0),
    price_unit  TEXT NOT NULL DEFAULT '项',
    conditions  TEXT NOT NULL DEFAULT '',
    voucher     BIGINT NOT NULL DEFAULT 1,
    active      BIGINT NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX service_offerings_provider ON service_offerings (provider_id);

CREATE TABLE service_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    offering_id   BIGINT NOT NULL REFERENCES service_offerings (id),
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'completed', 'cancelled')),
    response      TEXT NOT NULL DEFAULT '',
    amount_fen    BIGINT CHECK (amount_fen >= 0),
    requested_at  TEXT NOT NULL,
    responded_at  TEXT,
    completed_at  TEXT,
    rating        BIGINT CHECK (rating BETWEEN 1 AND 5),
    rating_note   TEXT NOT NULL DEFAULT '',
    voucher_id    BIGINT UNIQUE REFERENCES vouchers (id),
    CHECK (status = 'completed' OR (rating IS NULL AND voucher_id IS NULL))
);
CREATE INDEX service_requests_offering ON service_requests (offering_id);
CREATE INDEX service_requests_uscc ON service_requests (uscc);

CREATE TABLE instruments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    model        TEXT NOT NULL DEFAULT '',
    specs        TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL,
    owner_uscc   TEXT NOT NULL,
    location     TEXT NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    fee_fen      BIGINT NOT NULL CHECK (fee_fen >= 0),
    active       BIGINT NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE instrument_bookings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id BIGINT NOT NULL REFERENCES instruments (id),
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    day           TEXT NOT NULL,
    start_hour    BIGINT NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
    hours         BIGINT NOT NULL CHECK (hours BETWEEN 1 AND 24),
    purpose       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'declined', 'used', 'cancelled')),
    response      TEXT NOT NULL DEFAULT '',
    used_hours    REAL CHECK (used_hours > 0),
    requested_at  TEXT NOT NULL,
    decided_at    TEXT,
    used_at       TEXT,
    CHECK (status <> 'used' OR used_hours IS NOT NULL)
);
CREATE INDEX instrument_bookings_instrument ON instrument_bookings (instrument_id, day);
