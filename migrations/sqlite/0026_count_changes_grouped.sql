-- PostgreSQL's statement triggers now log patents and platforms grouped by what counts read
-- (migrations/postgres/0026). SQLite's triggers are row-level and have no statement to group;
-- its imports merge their entries at commit. The version is kept in step on both backends, so
-- a backup taken on one restores into the other.
SELECT 1;
