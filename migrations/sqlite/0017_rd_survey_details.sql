-- The survey's sections beside the expenditure (统计报表 107-2): government funds within the
-- R&D expenditure, R&D institutions at the year's end, patent applications and new-product
-- sales. Each optional: the statistics office's file may not carry them.

ALTER TABLE rd_surveys ADD COLUMN gov_funds_fen BIGINT;
ALTER TABLE rd_surveys ADD COLUMN institutions BIGINT;
ALTER TABLE rd_surveys ADD COLUMN patent_applications BIGINT;
ALTER TABLE rd_surveys ADD COLUMN new_product_sales_fen BIGINT;
