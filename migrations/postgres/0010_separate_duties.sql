-- Separation of duties: whether the officer who generated a funding batch may also approve it.
-- Off only where a programme's file says so.
ALTER TABLE programmes ADD COLUMN separate_duties BIGINT NOT NULL DEFAULT 1;
