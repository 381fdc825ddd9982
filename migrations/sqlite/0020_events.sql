-- Events (issue 18): the competition, the yearly forum, training, outreach and matchmaking,
-- with organising units, registrations (enterprises and individuals) with a waiting list,
-- check-in and the outcome; articles may link to an event.

CREATE TABLE events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL CHECK (kind IN ('competition', 'forum', 'training', 'outreach', 'matchmaking')),
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',
    agenda              TEXT NOT NULL DEFAULT '',
    speakers            TEXT NOT NULL DEFAULT '',
    place               TEXT NOT NULL DEFAULT '',
    region_code         TEXT REFERENCES regions (code),
    starts_on           TEXT NOT NULL,
    ends_on             TEXT NOT NULL,
    registration_closes TEXT,
    -- Seats; 0: no limit.
    capacity            BIGINT NOT NULL DEFAULT 0,
    status              TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    projects_matched    BIGINT NOT NULL DEFAULT 0,
    agreements_signed   BIGINT NOT NULL DEFAULT 0,
    outcome             TEXT NOT NULL DEFAULT '',
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX events_start ON events (starts_on);

CREATE TABLE event_organisers (
    event_id  BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    unit_code TEXT NOT NULL REFERENCES units (code),
    position  BIGINT NOT NULL,
    PRIMARY KEY (event_id, unit_code)
);

-- An enterprise registers once per event (by its code); an individual by name. Contact details
-- are kept for the organisers only and never published.
CREATE TABLE event_registrations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    uscc          TEXT,
    attendee      TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    seat          TEXT NOT NULL CHECK (seat IN ('registered', 'waitlisted', 'cancelled')),
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    checked_in_at TEXT,
    checked_in_by TEXT
);
CREATE INDEX event_registrations_event ON event_registrations (event_id, id);
CREATE INDEX event_registrations_uscc ON event_registrations (uscc);
CREATE UNIQUE INDEX event_registrations_once ON event_registrations (event_id, uscc) WHERE uscc IS NOT NULL AND seat <> 'cancelled';

-- Articles may link to an event: SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE article_links_new (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('programme', 'call', 'notice', 'event')),
    target     TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, target)
);
INSERT INTO article_links_new SELECT article_id, kind, target FROM article_links;
DROP TABLE article_links;
ALTER TABLE article_links_new RENAME TO article_links;
CREATE INDEX article_links_target ON article_links (kind, target);
