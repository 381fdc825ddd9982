-- Indicators may be sums of the funding ledger (kind 'ledger').
ALTER TABLE indicators DROP CONSTRAINT indicators_kind_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_kind_check
    CHECK (kind IN ('manual', 'formula', 'registry_count', 'ledger'));
