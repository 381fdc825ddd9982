-- A counter every registry write increments in its own transaction: readers that keep the
-- registries' counts in memory compare it to know, with one cheap read, whether theirs are
-- still those of the stored records.
CREATE TABLE registry_state (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
-- A database that already holds registry records starts at 1, so "generation 0" always means
-- "no registry data yet".
INSERT INTO registry_state (id, generation)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM enterprises) OR EXISTS (SELECT 1 FROM platforms)
               THEN 1 ELSE 0 END;
