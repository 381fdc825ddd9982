-- Files name enterprises by name as well as by code: a patent list's holders, an R&D sign-in
-- sheet's units. Without an index every such file scanned the whole register once before its
-- first row, a cost that grew with the register instead of the file. With one, an import looks
-- each part's names up as it reads the part, beside the writing, as it does codes.
-- In byte order ("C"): names are only ever looked up whole and by equality, which a locale's
-- collation would make slower to build and to probe for the same answers; the look-ups say
-- `COLLATE "C"` to use it.
CREATE INDEX enterprises_name ON enterprises (name COLLATE "C");
