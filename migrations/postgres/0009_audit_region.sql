-- The region of the record each audit entry is about, so the trail shows an entry only to
-- those who may see that record. Set when the entry is written; entries written before this
-- column have none, and are shown by who made them. Not part of the hash chain: it is an index
-- to the evidence, not the evidence.
ALTER TABLE audit_log ADD COLUMN region_code TEXT;
CREATE INDEX audit_log_region ON audit_log (region_code, seq);
