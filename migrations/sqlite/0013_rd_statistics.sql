-- R&D statistics (plan §三(二)4, 应统尽统): the enterprise R&D survey (统计报表 107-2), one per
-- enterprise and year, and the tax authority's list of enterprises that claimed the R&D super
-- deduction. Money in fen.

CREATE TABLE rd_surveys (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc                    TEXT NOT NULL,
    name                    TEXT NOT NULL,
    region_code             TEXT NOT NULL REFERENCES regions (code),
    year                    BIGINT NOT NULL,
    staff                   BIGINT NOT NULL CHECK (staff >= 0),
    total_fen               BIGINT NOT NULL CHECK (total_fen >= 0),
    labour_fen              BIGINT NOT NULL DEFAULT 0,
    materials_fen           BIGINT NOT NULL DEFAULT 0,
    depreciation_fen        BIGINT NOT NULL DEFAULT 0,
    amortisation_fen        BIGINT NOT NULL DEFAULT 0,
    design_fen              BIGINT NOT NULL DEFAULT 0,
    trials_fen              BIGINT NOT NULL DEFAULT 0,
    outsourced_fen          BIGINT NOT NULL DEFAULT 0,
    other_fen               BIGINT NOT NULL DEFAULT 0,
    super_deduction_base_fen BIGINT,
    note                    TEXT NOT NULL DEFAULT '',
    file_name               TEXT NOT NULL DEFAULT '',
    recorded_by             TEXT NOT NULL,
    recorded_at             TEXT NOT NULL,
    revision                BIGINT NOT NULL DEFAULT 1,
    UNIQUE (uscc, year)
);
CREATE INDEX rd_surveys_year ON rd_surveys (year, region_code);

CREATE TABLE super_deductions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc          TEXT NOT NULL,
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    year          BIGINT NOT NULL,
    deduction_fen BIGINT NOT NULL CHECK (deduction_fen >= 0),
    file_name     TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    UNIQUE (uscc, year)
);
CREATE INDEX super_deductions_year ON super_deductions (year, region_code);
