-- An enterprise fills its own R&D survey: it saves drafts and submits, its county checks and
-- sends it on (or returns it), the bureau accepts (or returns). Surveys imported from the
-- statistics office's file are accepted as they arrive; only accepted surveys count.

ALTER TABLE rd_surveys ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('draft', 'submitted', 'checked', 'accepted', 'returned'));
ALTER TABLE rd_surveys ADD COLUMN comment TEXT NOT NULL DEFAULT '';
CREATE INDEX rd_surveys_status ON rd_surveys (status, region_code);
