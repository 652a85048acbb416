//! Sending a form once, where the page after it cannot be shown again after a redirect:
//! the concern form (its receipt code is kept nowhere to show it from) and the survey
//! codes form (codes are shown once). Reloading such a page makes a browser send the form
//! again, which made a second case or a second batch of codes; so each form carries a
//! one-time mark of its own, and a form whose mark was used is refused.
//!
//! Marks are random and say nothing about the person or what they sent. They are kept
//! only in this server's memory, as SHA-256 digests, for a day at most, never in the
//! database or the log, so nothing links a mark to the case it sent.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Marks kept at most: more than a day of such forms on any installation. Beyond this the
/// oldest is forgotten first.
const MOST: usize = 100_000;
/// How long a mark is remembered, in seconds.
const KEEP_SECONDS: i64 = 24 * 3600;

/// A new mark for a form.
pub fn new_mark() -> String {
    dignity_crypto::token::random_token()
}

/// The marks of forms already sent, on this server.
#[derive(Default)]
pub struct SentForms {
    inner: Mutex<Marks>,
}

#[derive(Default)]
struct Marks {
    seen: HashMap<[u8; 32], i64>,
    order: VecDeque<([u8; 32], i64)>,
}

/// Whether a form may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not sent before (or carrying no mark): send it.
    First,
    /// This form was sent already.
    Again,
}

impl SentForms {
    /// Takes the form's mark at `now` (unix seconds). An empty mark (a form from before
    /// marks) is always let through.
    pub fn claim(&self, mark: &str, now: i64) -> Claim {
        if mark.is_empty() {
            return Claim::First;
        }
        let digest: [u8; 32] = Sha256::digest(mark.as_bytes()).into();
        let Ok(mut marks) = self.inner.lock() else {
            return Claim::First;
        };
        marks.forget_before(now - KEEP_SECONDS);
        if marks.seen.contains_key(&digest) {
            return Claim::Again;
        }
        if marks.order.len() >= MOST
            && let Some((oldest, _)) = marks.order.pop_front()
        {
            marks.seen.remove(&oldest);
        }
        marks.seen.insert(digest, now);
        marks.order.push_back((digest, now));
        Claim::First
    }

    /// Gives a mark back when its form could not be sent after all (the service was
    /// busy), so pressing Send again works.
    pub fn release(&self, mark: &str) {
        if mark.is_empty() {
            return;
        }
        let digest: [u8; 32] = Sha256::digest(mark.as_bytes()).into();
        if let Ok(mut marks) = self.inner.lock() {
            marks.seen.remove(&digest);
            marks.order.retain(|(d, _)| *d != digest);
        }
    }
}

impl Marks {
    fn forget_before(&mut self, cutoff: i64) {
        while let Some(&(digest, at)) = self.order.front() {
            if at >= cutoff {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&digest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_sent_once_and_can_be_tried_again_after_a_failure() {
        let sent = SentForms::default();
        let mark = new_mark();
        assert_eq!(sent.claim(&mark, 1_000), Claim::First);
        assert_eq!(sent.claim(&mark, 1_001), Claim::Again, "a reload");
        assert_eq!(sent.claim(&new_mark(), 1_002), Claim::First);
        sent.release(&mark);
        assert_eq!(
            sent.claim(&mark, 1_003),
            Claim::First,
            "after a busy moment"
        );
        assert_eq!(sent.claim("", 1_004), Claim::First);
        assert_eq!(sent.claim("", 1_005), Claim::First, "no mark, no check");
    }

    #[test]
    fn marks_are_forgotten_after_a_day() {
        let sent = SentForms::default();
        let mark = new_mark();
        assert_eq!(sent.claim(&mark, 0), Claim::First);
        assert_eq!(sent.claim(&new_mark(), KEEP_SECONDS + 1), Claim::First);
        assert_eq!(sent.claim(&mark, KEEP_SECONDS + 2), Claim::First);
    }
}
