-- Indicators may be sums of the funding ledger (kind 'ledger'). SQLite cannot change a CHECK
-- in place, so the table is rebuilt the way SQLite documents (create, copy, drop, rename);
-- `Store::migrate` runs migrations with foreign keys off, as that procedure requires, and
-- checks them afterwards.
CREATE TABLE indicators_new (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('manual', 'formula', 'registry_count', 'ledger')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'none')),
    formula     TEXT,
    -- The filter of a registry count or a ledger sum, as JSON.
    count_spec  TEXT
);
INSERT INTO indicators_new (code, name, name_en, unit, description, kind, aggregation, formula, count_spec)
SELECT code, name, name_en, unit, description, kind, aggregation, formula, count_spec FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;
