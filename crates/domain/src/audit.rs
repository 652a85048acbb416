//! The audit log's hash chain.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so changing,
//! removing or re-ordering any stored entry breaks every hash after it. A database
//! administrator could rewrite the whole chain; operators who copy the latest hash
//! elsewhere (see docs/operations.md) can detect that too.

use sha2::{Digest, Sha256};

/// The hash that the first entry links back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the chain protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    /// Seconds since the Unix epoch, UTC.
    pub at: i64,
    pub actor: &'a str,
    pub organisation: Option<&'a str>,
    pub action: &'a str,
    pub detail: &'a str,
}

/// The hash of an entry, as lower-case hex.
///
/// Fields are length-prefixed so that no two different entries can produce the same input
/// (for example by moving characters between `action` and `detail`).
pub fn entry_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let mut put = |part: &[u8]| {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    };
    put(b"dignity-audit-v1");
    put(prev_hash.as_bytes());
    put(&fields.seq.to_be_bytes());
    put(&fields.at.to_be_bytes());
    put(fields.actor.as_bytes());
    put(fields.organisation.unwrap_or("").as_bytes());
    put(&[u8::from(fields.organisation.is_some())]);
    put(fields.action.as_bytes());
    put(fields.detail.as_bytes());
    hex::encode(hasher.finalize())
}

/// A stored entry as read back for checking.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub organisation: Option<String>,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where a chain stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry's sequence number is not one more than the one before: entries were removed
    /// or inserted.
    Gap { expected_seq: i64, found_seq: i64 },
    /// An entry does not point at the hash of the entry before it.
    BrokenLink { seq: i64 },
    /// An entry's fields no longer match its hash: it was edited.
    Altered { seq: i64 },
}

/// Checks entries given in sequence order, starting from the first ever entry.
/// Returns the number of entries checked and the last hash, or the first break found.
pub fn verify_chain<I>(entries: I) -> Result<(u64, String), ChainBreak>
where
    I: IntoIterator<Item = StoredEntry>,
{
    let mut prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    for (expected_seq, entry) in (1..).zip(entries) {
        if entry.seq != expected_seq {
            return Err(ChainBreak::Gap {
                expected_seq,
                found_seq: entry.seq,
            });
        }
        if entry.prev_hash != prev {
            return Err(ChainBreak::BrokenLink { seq: entry.seq });
        }
        let fields = AuditFields {
            seq: entry.seq,
            at: entry.at,
            actor: &entry.actor,
            organisation: entry.organisation.as_deref(),
            action: &entry.action,
            detail: &entry.detail,
        };
        if entry_hash(&prev, &fields) != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        prev = entry.hash;
        count += 1;
    }
    Ok((count, prev))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let detail = format!("entry {seq}");
                let fields = AuditFields {
                    seq,
                    at: 1_700_000_000 + seq,
                    actor: "admin@example.nhs.uk",
                    organisation: Some("RJ1"),
                    action: "role.grant",
                    detail: &detail,
                };
                let hash = entry_hash(&prev, &fields);
                let entry = StoredEntry {
                    seq,
                    at: fields.at,
                    actor: fields.actor.into(),
                    organisation: Some("RJ1".into()),
                    action: fields.action.into(),
                    detail: detail.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let entries = chain(5);
        let last = entries[4].hash.clone();
        assert_eq!(verify_chain(entries), Ok((5, last)));
    }

    #[test]
    fn an_edited_entry_is_found() {
        let mut entries = chain(5);
        entries[2].detail = "nothing to see".into();
        assert_eq!(verify_chain(entries), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(
            verify_chain(entries),
            Err(ChainBreak::Gap {
                expected_seq: 2,
                found_seq: 3
            })
        );
    }

    #[test]
    fn a_rehashed_entry_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[1].detail = "rewritten".into();
        let fields = AuditFields {
            seq: 2,
            at: entries[1].at,
            actor: &entries[1].actor.clone(),
            organisation: Some("RJ1"),
            action: "role.grant",
            detail: "rewritten",
        };
        entries[1].hash = entry_hash(&entries[1].prev_hash.clone(), &fields);
        assert_eq!(
            verify_chain(entries),
            Err(ChainBreak::BrokenLink { seq: 3 })
        );
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = AuditFields {
            seq: 1,
            at: 1,
            actor: "a",
            organisation: None,
            action: "ab",
            detail: "c",
        };
        let b = AuditFields {
            detail: "bc",
            action: "a",
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS_HASH, &a), entry_hash(GENESIS_HASH, &b));
    }
}
