-- A platform or patent inserted with an import batch is logged by its import, grouped by
-- what counts read (the registry writer, registry_writer/sqlite.rs), in the import's own
-- transaction; these triggers log the rest, one by one, as before. SQLite's triggers are
-- row-level: a million-patent import logged a million entries, then read, summed and
-- deleted them at its commit to leave a few hundred (2.3 s and 1.5 s of 14.5 s).
-- Only the registry writer inserts rows with a batch; anything else that did would have to
-- log them itself. (A restore copies rows with their batches too, but only into a database
-- no server has opened, so no reader follows the log across it.) PostgreSQL's statement
-- triggers group a statement's rows already (0026).
DROP TRIGGER platforms_count_insert;
CREATE TRIGGER platforms_count_insert AFTER INSERT ON platforms WHEN NEW.batch_id IS NULL BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('platforms', NEW.kind, NEW.level, NEW.region_code, '', NEW.recognised_on, NULL, NEW.revoked_on, 0, 0, 1);
END;

DROP TRIGGER patents_count_insert;
CREATE TRIGGER patents_count_insert AFTER INSERT ON patents WHEN NEW.batch_id IS NULL BEGIN
    INSERT INTO count_changes (registry, kind, level, region, owner, d_from, d_until, d_revoked, above_scale, offsite, n)
    VALUES ('patents', NEW.kind, '', NEW.region_code, '', NEW.granted_on, NULL, NEW.lapsed_on, 0, 0, 1);
END;
