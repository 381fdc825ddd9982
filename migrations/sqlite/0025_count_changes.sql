-- What each registry write changed in what counts read, so a server keeping the count index
-- in memory applies the change instead of rereading every record: a record added is logged
-- with n = 1, one removed with n = -1, an update as both. Kept by triggers, so no write path
-- can forget it. Entries are read by position (`seq` only grows: SQLite commits one writer at
-- a time, in order) and pruned by the registry writer some minutes after they were logged;
-- `count_log.pruned_through` tells a reader whose position is older that it must read whole.
CREATE TABLE count_changes (
    seq         INTEGER PRIMARY KEY,
    registry    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    level       TEXT NOT NULL,
    region      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    d_from      TEXT,
    d_until     TEXT,
    d_revoked   TEXT,
    above_scale BIGINT NOT NULL,
    offsite     BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    logged_at   BIGINT NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

-- No index but the position: one more index on every logged row costs a million-row import
-- more than readers gain by it (they take a range of positions and skip what they do not count).

CREATE TABLE count_log (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL,
    -- How many prunes deleted anything: a reader that read after the last of them lost
    -- nothing, whatever its snapshot's horizon.
    prunes         BIGINT NOT NULL
);
INSERT INTO count_log (id, pruned_through, prunes) VALUES (1, 0, 0);

-- Certificates count in their enterprise's county.
CREATE TRIGGER certificates_count_insert AFTER INSERT ON certificates BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', NEW.kind, '', e.region_code, NEW.uscc, NEW.issued_on, NEW.expires_on, NEW.revoked_on, 0, e.offsite, 1
    FROM enterprises e WHERE e.uscc = NEW.uscc;
END;

CREATE TRIGGER certificates_count_delete AFTER DELETE ON certificates BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', OLD.kind, '', e.region_code, OLD.uscc, OLD.issued_on, OLD.expires_on, OLD.revoked_on, 0, e.offsite, -1
    FROM enterprises e WHERE e.uscc = OLD.uscc;
END;

CREATE TRIGGER certificates_count_update AFTER UPDATE OF kind, uscc, issued_on, expires_on, revoked_on ON certificates
WHEN OLD.kind IS NOT NEW.kind OR OLD.uscc IS NOT NEW.uscc OR OLD.issued_on IS NOT NEW.issued_on
  OR OLD.expires_on IS NOT NEW.expires_on OR OLD.revoked_on IS NOT NEW.revoked_on
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', OLD.kind, '', e.region_code, OLD.uscc, OLD.issued_on, OLD.expires_on, OLD.revoked_on, 0, e.offsite, -1
    FROM enterprises e WHERE e.uscc = OLD.uscc;
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', NEW.kind, '', e.region_code, NEW.uscc, NEW.issued_on, NEW.expires_on, NEW.revoked_on, 0, e.offsite, 1
    FROM enterprises e WHERE e.uscc = NEW.uscc;
END;

CREATE TRIGGER enterprises_count_insert AFTER INSERT ON enterprises BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('enterprises', '', '', NEW.region_code, '', NEW.registered_on, NULL, NULL, NEW.above_scale, NEW.offsite, 1);
END;

CREATE TRIGGER enterprises_count_delete AFTER DELETE ON enterprises BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('enterprises', '', '', OLD.region_code, '', OLD.registered_on, NULL, NULL, OLD.above_scale, OLD.offsite, -1);
END;

CREATE TRIGGER enterprises_count_update AFTER UPDATE OF region_code, registered_on, above_scale, offsite ON enterprises
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.registered_on IS NOT NEW.registered_on
  OR OLD.above_scale IS NOT NEW.above_scale OR OLD.offsite IS NOT NEW.offsite
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('enterprises', '', '', OLD.region_code, '', OLD.registered_on, NULL, NULL, OLD.above_scale, OLD.offsite, -1),
           ('enterprises', '', '', NEW.region_code, '', NEW.registered_on, NULL, NULL, NEW.above_scale, NEW.offsite, 1);
END;

-- An enterprise that moves county (or off-site status) moves its certificates' counts.
CREATE TRIGGER enterprises_count_move AFTER UPDATE OF region_code, offsite ON enterprises
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.offsite IS NOT NEW.offsite
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', c.kind, '', OLD.region_code, c.uscc, c.issued_on, c.expires_on, c.revoked_on, 0, OLD.offsite, -1
    FROM certificates c WHERE c.uscc = NEW.uscc;
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', c.kind, '', NEW.region_code, c.uscc, c.issued_on, c.expires_on, c.revoked_on, 0, NEW.offsite, 1
    FROM certificates c WHERE c.uscc = NEW.uscc;
END;

CREATE TRIGGER platforms_count_insert AFTER INSERT ON platforms BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('platforms', NEW.kind, NEW.level, NEW.region_code, '', NEW.recognised_on, NULL, NEW.revoked_on, 0, 0, 1);
END;

CREATE TRIGGER platforms_count_delete AFTER DELETE ON platforms BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('platforms', OLD.kind, OLD.level, OLD.region_code, '', OLD.recognised_on, NULL, OLD.revoked_on, 0, 0, -1);
END;

CREATE TRIGGER platforms_count_update AFTER UPDATE OF kind, level, region_code, recognised_on, revoked_on ON platforms
WHEN OLD.kind IS NOT NEW.kind OR OLD.level IS NOT NEW.level OR OLD.region_code IS NOT NEW.region_code
  OR OLD.recognised_on IS NOT NEW.recognised_on OR OLD.revoked_on IS NOT NEW.revoked_on
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('platforms', OLD.kind, OLD.level, OLD.region_code, '', OLD.recognised_on, NULL, OLD.revoked_on, 0, 0, -1),
           ('platforms', NEW.kind, NEW.level, NEW.region_code, '', NEW.recognised_on, NULL, NEW.revoked_on, 0, 0, 1);
END;

CREATE TRIGGER patents_count_insert AFTER INSERT ON patents BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('patents', NEW.kind, '', NEW.region_code, '', NEW.granted_on, NULL, NEW.lapsed_on, 0, 0, 1);
END;

CREATE TRIGGER patents_count_delete AFTER DELETE ON patents BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('patents', OLD.kind, '', OLD.region_code, '', OLD.granted_on, NULL, OLD.lapsed_on, 0, 0, -1);
END;

CREATE TRIGGER patents_count_update AFTER UPDATE OF kind, region_code, granted_on, lapsed_on ON patents
WHEN OLD.kind IS NOT NEW.kind OR OLD.region_code IS NOT NEW.region_code
  OR OLD.granted_on IS NOT NEW.granted_on OR OLD.lapsed_on IS NOT NEW.lapsed_on
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('patents', OLD.kind, '', OLD.region_code, '', OLD.granted_on, NULL, OLD.lapsed_on, 0, 0, -1),
           ('patents', NEW.kind, '', NEW.region_code, '', NEW.granted_on, NULL, NEW.lapsed_on, 0, 0, 1);
END;
