//! Survey results held in memory: each campaign's responses (and each year's national set)
//! loaded into the engine once, and loaded again only when the stored response counter has
//! moved, whichever server stored the response. So every server stays current, and a
//! results page costs one small query plus the engine's pass, never a read of every
//! response.

use super::load;
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_domain::survey::{self as definition, Survey};
use dignity_engine::Columns;
use dignity_store::identity::{self, OrgUnit, Organisation};
use dignity_store::survey::{self, Campaign};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many loaded sets are kept; the least recently used goes first.
const KEEP: usize = 32;

/// One campaign's responses, loaded.
pub struct Loaded {
    pub definition: Survey,
    pub columns: Columns,
    /// The organisation's units in the order responses number them (value v is unit v-1).
    pub units: Vec<OrgUnit>,
    /// Stored responses that did not fit the survey and were left out.
    pub skipped: usize,
    stamp: (u64, usize, bool),
}

/// Every closed campaign of one survey in one year, across organisations, with the
/// organisation and its benchmark group as groupings.
pub struct National {
    pub definition: Survey,
    pub columns: Columns,
    /// Value v of the organisation grouping is `organisations[v - 1]`.
    pub organisations: Vec<Organisation>,
    /// The one campaign each organisation's figures come from, in the same order.
    pub campaigns: Vec<Campaign>,
    stamp: (u64, usize),
}

#[derive(Default)]
pub struct SurveyCache {
    campaigns: Mutex<Entries<i64, Loaded>>,
    national: Mutex<Entries<(i64, i64), National>>,
    /// Each stored survey as read, with the text it was read from: reading and checking
    /// the TOML on every page someone answers was an eighth of the answering time.
    definitions: Mutex<Entries<i64, (String, Survey)>>,
    /// Each stored survey by id alone, for the answering pages: stored surveys are never
    /// changed (a new version is a new survey), so not even their text is read again.
    stored: Mutex<Entries<i64, Survey>>,
}

/// Values by key, the least recently used dropped first once `keep` are held.
pub(crate) struct Entries<K, V> {
    map: HashMap<K, (u64, Arc<V>)>,
    clock: u64,
    keep: usize,
}

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries::keeping(KEEP)
    }
}

impl<K, V> Entries<K, V> {
    pub(crate) fn keeping(keep: usize) -> Self {
        Entries {
            map: HashMap::new(),
            clock: 0,
            keep: keep.max(1),
        }
    }
}

impl<K: std::hash::Hash + Eq + Copy, V> Entries<K, V> {
    pub(crate) fn get(&mut self, key: K) -> Option<Arc<V>> {
        self.clock += 1;
        let clock = self.clock;
        self.map.get_mut(&key).map(|(used, v)| {
            *used = clock;
            v.clone()
        })
    }

    pub(crate) fn put(&mut self, key: K, value: Arc<V>) {
        self.clock += 1;
        if self.map.len() >= self.keep && !self.map.contains_key(&key) {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                self.map.remove(&oldest);
            }
        }
        self.map.insert(key, (self.clock, value));
    }
}

/// A poisoned lock only means another request panicked mid-update of a cache; the map is
/// still a valid map, so carry on with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A survey as stored, read the way stored surveys are (old files too).
pub(crate) fn parse_definition(text: &str) -> Result<Survey, Error> {
    definition::parse_stored(text).map_err(|e| Error::Internal(format!("stored survey: {e}")))
}

impl SurveyCache {
    /// A stored survey, read once and kept while its text stays the same.
    pub fn definition(&self, survey_id: i64, text: &str) -> Result<Arc<(String, Survey)>, Error> {
        if let Some(hit) = lock(&self.definitions).get(survey_id)
            && hit.0 == text
        {
            return Ok(hit);
        }
        let read = Arc::new((text.to_owned(), parse_definition(text)?));
        lock(&self.definitions).put(survey_id, read.clone());
        Ok(read)
    }

    /// A stored survey by its id, read from the database once per server.
    pub async fn definition_of(
        &self,
        db: &dignity_store::Db,
        survey_id: i64,
    ) -> Result<Arc<Survey>, Error> {
        if let Some(hit) = lock(&self.stored).get(survey_id) {
            return Ok(hit);
        }
        let (_, _, text) = survey::get_survey(db, survey_id).await?;
        let read = Arc::new(parse_definition(&text)?);
        lock(&self.stored).put(survey_id, read.clone());
        Ok(read)
    }

    /// A campaign's responses in the engine, loaded now if they changed since last time. A
    /// closed campaign's last waiting responses are written first, so its results are
    /// complete. A campaign that has not closed loads as no responses at all: results must
    /// not move while people are still answering, whichever page asks.
    pub async fn campaign(&self, ctx: &Context, campaign: &Campaign) -> Result<Arc<Loaded>, Error> {
        let db = &ctx.db;
        let today = ctx.clock.today();
        let closed = campaign.has_closed(today);
        if closed {
            super::pending::flush(ctx, campaign, today).await?;
        }
        let units =
            load::units_in_order(identity::list_org_units(db, campaign.organisation_id).await?);
        let count = if closed {
            survey::response_count(db, campaign.id).await?
        } else {
            0
        };
        let stamp = (count, units.len(), closed);
        if let Some(hit) = lock(&self.campaigns).get(campaign.id)
            && hit.stamp == stamp
        {
            return Ok(hit);
        }
        let (_, _, text) = survey::get_survey(db, campaign.survey_id).await?;
        let definition = parse_definition(&text)?;
        let responses = if closed {
            survey::responses(db, campaign.id).await?
        } else {
            Vec::new()
        };
        let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
        let loaded = tokio::task::spawn_blocking(move || {
            let (columns, skipped) = load::columns(&definition, &names, &responses);
            Loaded {
                definition,
                columns,
                units,
                skipped,
                stamp,
            }
        })
        .await
        .map_err(|e| Error::Internal(format!("loading survey responses: {e}")))?;
        if loaded.skipped > 0 {
            tracing::warn!(
                skipped = loaded.skipped,
                campaign = campaign.id,
                "responses that do not fit the survey were left out"
            );
        }
        let loaded = Arc::new(loaded);
        lock(&self.campaigns).put(campaign.id, loaded.clone());
        Ok(loaded)
    }

    /// Every organisation's closed campaigns of a survey in a year, loaded together.
    pub async fn national(
        &self,
        ctx: &Context,
        survey_id: i64,
        year: i64,
        today: Day,
    ) -> Result<Arc<National>, Error> {
        let db = &ctx.db;
        let closed: Vec<Campaign> = survey::campaigns_of(db, survey_id, year)
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| c.has_closed(today))
            .collect();
        for c in &closed {
            super::pending::flush(ctx, c, today).await?;
        }
        // One campaign per organisation: the first of the year to close. Pooling a later
        // pulse survey of the same questions would count people twice and change published
        // figures months after they were read; the first to close cannot be overtaken.
        let mut counted: Vec<(Campaign, u64)> = survey::campaigns_of(db, survey_id, year)
            .await?
            .into_iter()
            .filter(|(c, _)| c.has_closed(today))
            .collect();
        counted.sort_by(|(a, _), (b, _)| {
            (a.organisation_id, a.closes_on, a.id).cmp(&(b.organisation_id, b.closes_on, b.id))
        });
        counted.dedup_by_key(|(c, _)| c.organisation_id);
        let (campaigns, counts): (Vec<Campaign>, Vec<u64>) = counted.into_iter().unzip();
        let stamp = (counts.iter().sum::<u64>(), campaigns.len());
        if let Some(hit) = lock(&self.national).get((survey_id, year))
            && hit.stamp == stamp
        {
            return Ok(hit);
        }
        let (_, _, text) = survey::get_survey(db, survey_id).await?;
        let definition = parse_definition(&text)?;
        let mut organisations: Vec<Organisation> = identity::list_organisations(db).await?;
        organisations.retain(|o| campaigns.iter().any(|c| c.organisation_id == o.id));
        let mut sets = Vec::with_capacity(campaigns.len());
        let mut in_order = Vec::with_capacity(organisations.len());
        for o in &organisations {
            if let Some(c) = campaigns.iter().find(|c| c.organisation_id == o.id) {
                in_order.push(c.clone());
            }
        }
        for c in &campaigns {
            let position = organisations
                .iter()
                .position(|o| o.id == c.organisation_id)
                .unwrap_or(0);
            sets.push((position, survey::responses(db, c.id).await?));
        }
        let national = tokio::task::spawn_blocking(move || {
            let columns = load::national_columns(&definition, &organisations, &sets);
            National {
                definition,
                columns,
                organisations,
                campaigns: in_order,
                stamp,
            }
        })
        .await
        .map_err(|e| Error::Internal(format!("loading national survey responses: {e}")))?;
        let national = Arc::new(national);
        lock(&self.national).put((survey_id, year), national.clone());
        Ok(national)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_survey_is_read_once_until_its_text_changes() {
        let cache = SurveyCache::default();
        let bank = dignity_domain::survey::DEFAULT_BANK;
        let first = cache.definition(1, bank).unwrap_or_else(|e| panic!("{e}"));
        let again = cache.definition(1, bank).unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&first, &again), "read once");
        let changed = bank.replace("How it feels to work here", "How work feels");
        let reread = cache
            .definition(1, &changed)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reread.1.title, "How work feels");
        assert!(cache.definition(2, "not a survey").is_err());
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let mut entries: Entries<i64, i64> = Entries::default();
        for k in 0..KEEP as i64 {
            entries.put(k, Arc::new(k));
        }
        assert!(entries.get(0).is_some(), "0 is now the most recent");
        entries.put(100, Arc::new(100));
        assert!(entries.get(1).is_none(), "1 was the least recently used");
        assert!(entries.get(0).is_some() && entries.get(100).is_some());
        assert_eq!(entries.map.len(), KEEP);
    }
}
