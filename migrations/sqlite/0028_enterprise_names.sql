-- Files name enterprises by name as well as by code: a patent list's holders, an R&D sign-in
-- sheet's units. Without an index every such file scanned the whole register once before its
-- first row (a million patents on top of ten million enterprises: most of the import's extra
-- time), a cost that grew with the register instead of the file. With one, an import looks
-- each part's names up as it reads the part, beside the writing, as it does codes. Each
-- enterprise written pays one more index entry; the database's own load of the same rows, to
-- which `kechuang bench` compares an import, pays it too.
CREATE INDEX enterprises_name ON enterprises (name);
