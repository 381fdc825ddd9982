-- R&D statistics training (plan §三(二)6, 举办研发经费业务知识培训班): the sessions and the
-- enterprises that attended, from the sign-in sheets; 应统尽统 shows which enterprises that
-- should report attended none. Only enterprises are kept, not the people who signed.

CREATE TABLE rd_trainings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    held_on     TEXT NOT NULL,
    title       TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    file_name   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (held_on, title, region_code)
);

CREATE TABLE rd_training_attendees (
    training_id BIGINT NOT NULL REFERENCES rd_trainings (id),
    uscc        TEXT NOT NULL REFERENCES enterprises (uscc),
    PRIMARY KEY (training_id, uscc)
);
CREATE INDEX rd_training_attendees_uscc ON rd_training_attendees (uscc);
