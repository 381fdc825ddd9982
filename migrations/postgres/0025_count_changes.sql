-- What each registry write changed in what counts read, so a server keeping the count index
-- in memory applies the change instead of rereading every record: a record added is logged
-- with n = 1, one removed with n = -1, an update as both. Kept by statement triggers, so no
-- write path can forget it and a statement of a thousand rows logs them in one insert.
-- Writers commit concurrently, so entries are read by transaction, not position: a reader
-- keeps the snapshot it read at and next takes the entries of transactions that snapshot did
-- not see. The registry writer prunes entries some minutes after they were logged;
-- `count_log` (how many prunes, the highest transaction pruned) tells a reader whose snapshot
-- is older that it must read whole.
CREATE TABLE count_changes (
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
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
    logged_at   BIGINT NOT NULL DEFAULT CAST(extract(epoch FROM now()) AS BIGINT)
);
-- Readers take one registry's entries at a time: the counts a plan needs rarely include the
-- enterprise registry itself, whose imports log a million entries.
CREATE INDEX count_changes_registry ON count_changes (registry, xid);

CREATE TABLE count_log (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL,
    -- How many prunes deleted anything: a reader that read after the last of them lost
    -- nothing, whatever its snapshot's horizon.
    prunes         BIGINT NOT NULL
);
INSERT INTO count_log (id, pruned_through, prunes) VALUES (1, 0, 0);

-- Certificates count in their enterprise's county.
CREATE FUNCTION count_certificates_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', c.kind, '', e.region_code, c.uscc, c.issued_on, c.expires_on, c.revoked_on, 0, e.offsite, 1
    FROM new_rows c JOIN enterprises e ON e.uscc = c.uscc;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_certificates_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', c.kind, '', e.region_code, c.uscc, c.issued_on, c.expires_on, c.revoked_on, 0, e.offsite, -1
    FROM old_rows c JOIN enterprises e ON e.uscc = c.uscc;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_certificates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', s.kind, '', e.region_code, s.uscc, s.issued_on, s.expires_on, s.revoked_on, 0, e.offsite, s.n
    FROM old_rows o JOIN new_rows nw ON nw.id = o.id
    CROSS JOIN LATERAL (VALUES (o.kind, o.uscc, o.issued_on, o.expires_on, o.revoked_on, -1),
                               (nw.kind, nw.uscc, nw.issued_on, nw.expires_on, nw.revoked_on, 1))
        AS s (kind, uscc, issued_on, expires_on, revoked_on, n)
    JOIN enterprises e ON e.uscc = s.uscc
    WHERE (o.kind, o.uscc, o.issued_on, o.expires_on, o.revoked_on)
          IS DISTINCT FROM (nw.kind, nw.uscc, nw.issued_on, nw.expires_on, nw.revoked_on);
    RETURN NULL;
END;
$$;

CREATE TRIGGER certificates_count_insert AFTER INSERT ON certificates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_added();
CREATE TRIGGER certificates_count_delete AFTER DELETE ON certificates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_removed();
CREATE TRIGGER certificates_count_update AFTER UPDATE ON certificates
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_changed();

CREATE FUNCTION count_enterprises_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'enterprises', '', '', region_code, '', registered_on, NULL, NULL, above_scale, offsite, 1
    FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_enterprises_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'enterprises', '', '', region_code, '', registered_on, NULL, NULL, above_scale, offsite, -1
    FROM old_rows;
    RETURN NULL;
END;
$$;

-- An enterprise that moves county (or off-site status) also moves its certificates' counts.
CREATE FUNCTION count_enterprises_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'enterprises', '', '', s.region_code, '', s.registered_on, NULL, NULL, s.above_scale, s.offsite, s.n
    FROM old_rows o JOIN new_rows nw ON nw.uscc = o.uscc
    CROSS JOIN LATERAL (VALUES (o.region_code, o.registered_on, o.above_scale, o.offsite, -1),
                               (nw.region_code, nw.registered_on, nw.above_scale, nw.offsite, 1))
        AS s (region_code, registered_on, above_scale, offsite, n)
    WHERE (o.region_code, o.registered_on, o.above_scale, o.offsite)
          IS DISTINCT FROM (nw.region_code, nw.registered_on, nw.above_scale, nw.offsite);
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'certificates', c.kind, '', s.region_code, c.uscc, c.issued_on, c.expires_on, c.revoked_on, 0, s.offsite, s.n
    FROM old_rows o JOIN new_rows nw ON nw.uscc = o.uscc
    CROSS JOIN LATERAL (VALUES (o.region_code, o.offsite, -1), (nw.region_code, nw.offsite, 1))
        AS s (region_code, offsite, n)
    JOIN certificates c ON c.uscc = nw.uscc
    WHERE (o.region_code, o.offsite) IS DISTINCT FROM (nw.region_code, nw.offsite);
    RETURN NULL;
END;
$$;

CREATE TRIGGER enterprises_count_insert AFTER INSERT ON enterprises
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_enterprises_added();
CREATE TRIGGER enterprises_count_delete AFTER DELETE ON enterprises
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_enterprises_removed();
CREATE TRIGGER enterprises_count_update AFTER UPDATE ON enterprises
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_enterprises_changed();

CREATE FUNCTION count_platforms_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', kind, level, region_code, '', recognised_on, NULL, revoked_on, 0, 0, 1 FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_platforms_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', kind, level, region_code, '', recognised_on, NULL, revoked_on, 0, 0, -1 FROM old_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_platforms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', s.kind, s.level, s.region_code, '', s.recognised_on, NULL, s.revoked_on, 0, 0, s.n
    FROM old_rows o JOIN new_rows nw ON nw.id = o.id
    CROSS JOIN LATERAL (VALUES (o.kind, o.level, o.region_code, o.recognised_on, o.revoked_on, -1),
                               (nw.kind, nw.level, nw.region_code, nw.recognised_on, nw.revoked_on, 1))
        AS s (kind, level, region_code, recognised_on, revoked_on, n)
    WHERE (o.kind, o.level, o.region_code, o.recognised_on, o.revoked_on)
          IS DISTINCT FROM (nw.kind, nw.level, nw.region_code, nw.recognised_on, nw.revoked_on);
    RETURN NULL;
END;
$$;

CREATE TRIGGER platforms_count_insert AFTER INSERT ON platforms
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_platforms_added();
CREATE TRIGGER platforms_count_delete AFTER DELETE ON platforms
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_platforms_removed();
CREATE TRIGGER platforms_count_update AFTER UPDATE ON platforms
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_platforms_changed();

CREATE FUNCTION count_patents_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', kind, '', region_code, '', granted_on, NULL, lapsed_on, 0, 0, 1 FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_patents_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', kind, '', region_code, '', granted_on, NULL, lapsed_on, 0, 0, -1 FROM old_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_patents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', s.kind, '', s.region_code, '', s.granted_on, NULL, s.lapsed_on, 0, 0, s.n
    FROM old_rows o JOIN new_rows nw ON nw.id = o.id
    CROSS JOIN LATERAL (VALUES (o.kind, o.region_code, o.granted_on, o.lapsed_on, -1),
                               (nw.kind, nw.region_code, nw.granted_on, nw.lapsed_on, 1))
        AS s (kind, region_code, granted_on, lapsed_on, n)
    WHERE (o.kind, o.region_code, o.granted_on, o.lapsed_on)
          IS DISTINCT FROM (nw.kind, nw.region_code, nw.granted_on, nw.lapsed_on);
    RETURN NULL;
END;
$$;

CREATE TRIGGER patents_count_insert AFTER INSERT ON patents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_patents_added();
CREATE TRIGGER patents_count_delete AFTER DELETE ON patents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_patents_removed();
CREATE TRIGGER patents_count_update AFTER UPDATE ON patents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_patents_changed();
