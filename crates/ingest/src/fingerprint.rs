//! Keys an import holds for its whole run — names, natural keys, codes, up to a million of
//! each — kept as 128-bit fingerprints instead of heap strings: two independently seeded
//! hashes, with new seeds for every import. That two of a million different keys agree on
//! all 128 bits has a chance of about 10⁻²⁷, and random seeds leave a file nothing to aim at.

use std::hash::BuildHasher;

#[derive(Debug, Default)]
pub(crate) struct Fingerprinter {
    seeds: (
        foldhash::quality::RandomState,
        foldhash::quality::RandomState,
    ),
}

impl Fingerprinter {
    pub(crate) fn of(&self, key: &str) -> [u64; 2] {
        [self.seeds.0.hash_one(key), self.seeds.1.hash_one(key)]
    }
}
