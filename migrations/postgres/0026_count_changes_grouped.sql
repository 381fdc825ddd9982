-- Patents and platforms are counted by (type, level, county, dates), not one by one: the
-- statement triggers now log a statement's rows grouped by what counts read, as the registry
-- writer already merges an import's entries before it commits. A chunk of 2,000 patents that
-- logged 2,000 entries logs one per distinct record: a million-patent import wrote a million
-- entries and then deleted them in its merge (9 s here, and a million dead index entries that
-- the first reader after it stepped over, 0.2-0.5 s); grouped, it writes a few hundred per
-- chunk. Certificates and enterprises are logged per owner, which grouping would not shrink.
-- SQLite's triggers are row-level, so it has nothing to group; its imports merge at commit.
CREATE OR REPLACE FUNCTION count_platforms_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', kind, level, region_code, '', recognised_on, NULL, revoked_on, 0, 0, COUNT(*)
    FROM new_rows GROUP BY kind, level, region_code, recognised_on, revoked_on;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION count_platforms_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', kind, level, region_code, '', recognised_on, NULL, revoked_on, 0, 0, -COUNT(*)
    FROM old_rows GROUP BY kind, level, region_code, recognised_on, revoked_on;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION count_platforms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'platforms', s.kind, s.level, s.region_code, '', s.recognised_on, NULL, s.revoked_on, 0, 0, SUM(s.n)
    FROM old_rows o JOIN new_rows nw ON nw.id = o.id
    CROSS JOIN LATERAL (VALUES (o.kind, o.level, o.region_code, o.recognised_on, o.revoked_on, -1),
                               (nw.kind, nw.level, nw.region_code, nw.recognised_on, nw.revoked_on, 1))
        AS s (kind, level, region_code, recognised_on, revoked_on, n)
    WHERE (o.kind, o.level, o.region_code, o.recognised_on, o.revoked_on)
          IS DISTINCT FROM (nw.kind, nw.level, nw.region_code, nw.recognised_on, nw.revoked_on)
    GROUP BY s.kind, s.level, s.region_code, s.recognised_on, s.revoked_on
    HAVING SUM(s.n) <> 0;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION count_patents_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', kind, '', region_code, '', granted_on, NULL, lapsed_on, 0, 0, COUNT(*)
    FROM new_rows GROUP BY kind, region_code, granted_on, lapsed_on;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION count_patents_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', kind, '', region_code, '', granted_on, NULL, lapsed_on, 0, 0, -COUNT(*)
    FROM old_rows GROUP BY kind, region_code, granted_on, lapsed_on;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION count_patents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    SELECT 'patents', s.kind, '', s.region_code, '', s.granted_on, NULL, s.lapsed_on, 0, 0, SUM(s.n)
    FROM old_rows o JOIN new_rows nw ON nw.id = o.id
    CROSS JOIN LATERAL (VALUES (o.kind, o.region_code, o.granted_on, o.lapsed_on, -1),
                               (nw.kind, nw.region_code, nw.granted_on, nw.lapsed_on, 1))
        AS s (kind, region_code, granted_on, lapsed_on, n)
    WHERE (o.kind, o.region_code, o.granted_on, o.lapsed_on)
          IS DISTINCT FROM (nw.kind, nw.region_code, nw.granted_on, nw.lapsed_on)
    GROUP BY s.kind, s.region_code, s.granted_on, s.lapsed_on
    HAVING SUM(s.n) <> 0;
    RETURN NULL;
END;
$$;
