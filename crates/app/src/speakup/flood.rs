//! The flood limit on new concerns, and when a proof of work is asked for. Cookie-less:
//! it counts events, never who caused them: no address, no cookie, no time beyond the
//! current window. Counts live in memory, per server, because a shared table of counts
//! with times would itself date submissions.

use super::pow::{Challenge, PowError, Redeemed, bits_for_load};
use crate::Context;
use crate::identity::Organisation;
use std::collections::HashMap;
use std::sync::Mutex;

/// Counts events per key over a sliding window: the current fixed window plus the last
/// one, weighted by how much of it still falls within the window. Fixed windows alone let a
/// flood send the limit just before the hour turns and again just after.
#[derive(Debug)]
pub struct WindowCounter {
    window_seconds: i64,
    counts: Mutex<HashMap<String, Slot>>,
}

/// One key's events in the current fixed window and the one before it.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    window: i64,
    current: u32,
    previous: u32,
}

impl Slot {
    /// This slot as seen from `window`: moved on if time has moved on.
    fn at(self, window: i64) -> Slot {
        match window - self.window {
            0 => self,
            1 => Slot {
                window,
                current: 0,
                previous: self.current,
            },
            _ => Slot {
                window,
                ..Slot::default()
            },
        }
    }
}

impl WindowCounter {
    pub fn new(window_seconds: i64) -> WindowCounter {
        WindowCounter {
            window_seconds: window_seconds.max(1),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self, now: i64) -> i64 {
        now.div_euclid(self.window_seconds)
    }

    /// Events in the last `window_seconds`: the current window's, and the last one's in
    /// the share of it that is still within reach (rounded up, so a flood is never
    /// under-counted).
    fn load(&self, slot: Slot, now: i64) -> u32 {
        let reach = self.window_seconds - now.rem_euclid(self.window_seconds);
        // Both are positive, so unsigned division rounds up as meant.
        let carried = (u64::from(slot.previous) * reach.unsigned_abs())
            .div_ceil(self.window_seconds.unsigned_abs());
        slot.current
            .saturating_add(u32::try_from(carried).unwrap_or(u32::MAX))
    }

    /// How many events `key` has had in the last window.
    pub fn count(&self, key: &str, now: i64) -> u32 {
        let window = self.window(now);
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.get(key).map(|slot| self.load(slot.at(window), now)))
            .unwrap_or(0)
    }

    /// Takes a place for one event before the work it stands for, so that many requests
    /// at once cannot all pass a check made before any of them is counted. The place is
    /// given back when dropped, unless [`Place::keep`] is called once the work is done.
    pub fn reserve(&self, key: &str, now: i64) -> Place<'_> {
        let window = self.window(now);
        let before = match self.counts.lock() {
            Ok(mut counts) => {
                counts.retain(|_, slot| slot.window >= window - 1);
                let slot = counts.entry(key.to_owned()).or_default();
                *slot = slot.at(window);
                let before = self.load(*slot, now);
                slot.current = slot.current.saturating_add(1);
                before
            }
            // A poisoned lock counts as full: refuse rather than let everything through.
            Err(_) => u32::MAX,
        };
        Place {
            counter: self,
            key: key.to_owned(),
            window,
            before,
            kept: false,
        }
    }

    fn give_back(&self, key: &str, window: i64) {
        if let Ok(mut counts) = self.counts.lock()
            && let Some(slot) = counts.get_mut(key)
            && slot.window == window
        {
            slot.current = slot.current.saturating_sub(1);
        }
    }
}

/// A place taken in a [`WindowCounter`].
#[derive(Debug)]
pub struct Place<'a> {
    counter: &'a WindowCounter,
    key: String,
    window: i64,
    before: u32,
    kept: bool,
}

impl Place<'_> {
    /// How many events came before this one in the window: the load it arrived in.
    pub fn before(&self) -> u32 {
        self.before
    }

    /// The work succeeded: the event stays counted.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.counter.give_back(&self.key, self.window);
        }
    }
}

/// The limit on new concerns: how many each organisation has had in the last hour, how
/// many pass freely, and the proofs of work already used beyond that.
#[derive(Debug)]
pub struct FloodGate {
    /// New concerns per organisation (by ODS code) in the last hour.
    pub submissions: WindowCounter,
    per_hour: u32,
    proofs: Redeemed,
}

impl FloodGate {
    /// Beyond `per_hour` new concerns to one organisation in an hour (on this server), a
    /// concern needs a solved proof of work.
    pub fn new(per_hour: u32) -> FloodGate {
        FloodGate {
            submissions: WindowCounter::new(3600),
            per_hour,
            proofs: Redeemed::default(),
        }
    }
}

/// A proof of work as the form sent it; both empty when none was asked for.
#[derive(Debug, Default, Clone, Copy)]
pub struct Proof<'a> {
    pub challenge: &'a str,
    pub solution: &'a str,
}

/// This organisation's form is flooded and the concern brought no proof of work that
/// the load now accepts: the person is to solve `challenge` and send again.
#[derive(Debug, thiserror::Error)]
#[error("too many concerns in the last hour: a proof of work is needed ({cause})")]
pub struct Flooded {
    pub challenge: Challenge,
    pub cause: PowError,
}

/// A new concern's place in the hour's count, taken before any slow work so that many
/// sent at once cannot all pass a check made before any of them is counted. Given back
/// when dropped: only a concern that is stored keeps it (`report::send_concern`).
#[derive(Debug)]
pub struct Admitted<'a> {
    place: Place<'a>,
}

impl Admitted<'_> {
    pub(crate) fn keep(self) {
        self.place.keep();
    }
}

/// Signs proof-of-work challenges under a key a database thief does not have, for one
/// organisation's form: a challenge solved for one trust does not open another's.
fn signer<'a>(ctx: &'a Context, ods: &'a str) -> impl Fn(&str) -> String + 'a {
    move |body: &str| {
        ctx.secret
            .keyed_digest("speakup-pow", format!("{ods}:{body}").as_bytes())
    }
}

/// A challenge for a blank form if the organisation's form is flooded now, as hard as
/// the load asks, so a browser starts solving at once.
pub fn challenge(ctx: &Context, organisation: &Organisation) -> Option<Challenge> {
    let gate = &ctx.flood;
    let now = ctx.clock.now();
    let ods = organisation.ods_code.as_str();
    let load = gate.submissions.count(ods, now);
    bits_for_load(load, gate.per_hour).map(|bits| Redeemed::issue(signer(ctx, ods), bits, now))
}

/// Takes a place for a new concern. Within the limit it passes; beyond it, only with a
/// proof of work as hard as the load now asks (one solved when the load was lower is
/// answered with a harder challenge), each proof used once.
pub fn admit<'c>(
    ctx: &'c Context,
    organisation: &Organisation,
    proof: Proof<'_>,
) -> Result<Admitted<'c>, Flooded> {
    let gate = &ctx.flood;
    let now = ctx.clock.now();
    let ods = organisation.ods_code.as_str();
    let place = gate.submissions.reserve(ods, now);
    if let Some(bits) = bits_for_load(place.before(), gate.per_hour)
        && let Err(cause) =
            gate.proofs
                .redeem(signer(ctx, ods), proof.challenge, proof.solution, bits, now)
    {
        drop(place);
        return Err(Flooded {
            challenge: Redeemed::issue(signer(ctx, ods), bits, now),
            cause,
        });
    }
    Ok(Admitted { place })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Backend;
    use crate::speakup::pow::{BASE_BITS, solve};
    use crate::test_fixtures::organisation;
    use crate::{Clock, Settings};
    use dignity_crypto::passphrase::HashCost;
    use dignity_store::scratch::ScratchDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_limit_a_concern_needs_a_fresh_proof_of_work_for_its_own_organisation() {
        let test_db = ScratchDb::new(Backend::Sqlite).await.unwrap();
        let ctx = Context::new(
            test_db.db.clone(),
            Settings {
                clock: Clock::fixed(1_800_000_000),
                passphrase_cost: HashCost::FAST_FOR_TESTS,
                speakup_max_per_hour: 2,
                ..Settings::default()
            },
        )
        .unwrap();
        let (rj1, rx1) = (organisation(1, "RJ1"), organisation(2, "RX1"));
        assert!(challenge(&ctx, &rj1).is_none(), "no flood, no challenge");
        admit(&ctx, &rj1, Proof::default()).unwrap().keep();
        // A concern that fails gives its place back.
        drop(admit(&ctx, &rj1, Proof::default()).unwrap());
        admit(&ctx, &rj1, Proof::default()).unwrap().keep();

        let Err(flooded) = admit(&ctx, &rj1, Proof::default()) else {
            panic!("the third concern in the hour passed without a proof of work");
        };
        assert_eq!(flooded.cause, PowError::Missing);
        assert_eq!(flooded.challenge.bits, BASE_BITS);
        let blank_form = challenge(&ctx, &rj1).unwrap();
        assert_eq!(blank_form.bits, BASE_BITS, "the blank form asks at once");
        assert!(
            challenge(&ctx, &rx1).is_none(),
            "another trust is not flooded"
        );

        let solution = solve(&flooded.challenge).to_string();
        let proof = Proof {
            challenge: &flooded.challenge.text,
            solution: &solution,
        };
        admit(&ctx, &rx1, Proof::default()).unwrap().keep();
        admit(&ctx, &rx1, Proof::default()).unwrap().keep();
        let Err(forged) = admit(&ctx, &rx1, proof) else {
            panic!("a proof solved for RJ1 opened RX1's form");
        };
        assert_eq!(forged.cause, PowError::Forged);

        admit(&ctx, &rj1, proof).unwrap().keep();
        let Err(again) = admit(&ctx, &rj1, proof) else {
            panic!("a proof of work was used twice");
        };
        assert_eq!(again.cause, PowError::Used);
        test_db.finish().await;
    }

    #[test]
    fn places_are_counted_when_taken_and_given_back_unless_kept() {
        let counter = WindowCounter::new(60);
        let first = counter.reserve("a", 100);
        let second = counter.reserve("a", 110);
        assert_eq!((first.before(), second.before()), (0, 1));
        assert_eq!(
            counter.count("a", 110),
            2,
            "counted before the work is done"
        );
        first.keep();
        drop(second);
        assert_eq!(
            counter.count("a", 110),
            1,
            "a failed submission gives its place back"
        );
        assert_eq!(counter.count("b", 110), 0);
        assert_eq!(
            counter.count("a", 130),
            1,
            "the last minute still counts in the sliding window"
        );
        assert_eq!(
            counter.count("a", 240),
            0,
            "two minutes on, nothing is left"
        );
        let late = counter.reserve("a", 240);
        let stale = Place {
            counter: &counter,
            key: "a".into(),
            window: 1,
            before: 0,
            kept: false,
        };
        drop(stale);
        assert_eq!(late.before(), 0);
        assert_eq!(
            counter.count("a", 240),
            1,
            "a place from an old window gives nothing back in the new one"
        );
    }

    #[test]
    fn a_flood_either_side_of_the_hour_is_counted_as_one_hour() {
        let counter = WindowCounter::new(3600);
        let hour = 3600 * 500_000;
        for _ in 0..20 {
            counter.reserve("RJ1", hour - 1).keep();
        }
        // Just after the hour turns, the 20 just before it still count in full.
        let next = counter.reserve("RJ1", hour + 1);
        assert_eq!(next.before(), 20);
        next.keep();
        // Half an hour on, half of them still count, with the one made since.
        assert_eq!(counter.count("RJ1", hour + 1800), 11);
        assert_eq!(counter.count("RJ1", hour + 3600), 1);
    }
}
