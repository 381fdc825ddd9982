-- SQLite only: there, the platforms and patents an import inserts are now logged in the count
-- log by the import, grouped, and their row-level insert triggers log the rest. PostgreSQL's
-- statement triggers group a statement's rows already (0026), so nothing changes here. The
-- version is kept on both backends alike: a backup states its schema version, and restores
-- into either backend only at the same one.
SELECT 1;
