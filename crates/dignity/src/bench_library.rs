//! `dignity bench library`: the search index on a generated catalogue, built from the
//! words of the starter catalogue so that term frequencies look like real summaries.

use crate::bench::{ms, percentile};
use dignity_domain::library::{Audience, Kind, Topic};
use dignity_search::{Doc, LibraryIndex, Request};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

fn words(rng: &mut StdRng, pool: &[String], n: usize) -> String {
    (0..n)
        .filter_map(|_| pool.choose(rng).cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn generated(count: usize, pool: &[String], rng: &mut StdRng) -> Vec<Doc> {
    (0..count)
        .map(|i| {
            let year = rng.gen_range(2010..=2026);
            let pick = |rng: &mut StdRng, codes: &[&str], most: usize| -> Vec<String> {
                let n = rng.gen_range(1..=most);
                codes
                    .choose_multiple(rng, n)
                    .map(|c| (*c).to_owned())
                    .collect()
            };
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
            let audiences: Vec<&str> = Audience::ALL.iter().map(|a| a.code()).collect();
            let topics: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
            let title_len = rng.gen_range(4..=10);
            let summary_len = rng.gen_range(25..=60);
            let body_len = rng.gen_range(10..=30);
            Doc {
                id: i as u64 + 1,
                title: words(rng, pool, title_len),
                summary: words(rng, pool, summary_len),
                body: words(rng, pool, body_len),
                kind: kinds
                    .choose(rng)
                    .map(|k| (*k).to_owned())
                    .unwrap_or_default(),
                audiences: pick(rng, &audiences, 3),
                topics: pick(rng, &topics, 3),
                year: Some(year),
                date: year as u64 * 10_000 + rng.gen_range(1..=12) * 100 + rng.gen_range(1..=28),
            }
        })
        .collect()
}

/// A word with one letter dropped or two swapped, as people mistype.
fn mistyped(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 {
        return word.to_owned();
    }
    let at = rng.gen_range(1..chars.len() - 1);
    if rng.gen_bool(0.5) {
        chars.remove(at);
    } else {
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

pub fn run(count: usize, queries: usize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut pool: Vec<String> = crate::starter::catalogue()?
        .iter()
        .flat_map(|r| {
            format!("{} {}", r.title, r.summary)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    pool.sort();
    let distinct = {
        let mut d = pool.clone();
        d.dedup();
        d
    };
    println!(
        "Library search: {count} generated resources from {} distinct words, {queries} searches.",
        distinct.len()
    );
    let docs = generated(count, &pool, &mut rng);
    let started = Instant::now();
    let index = LibraryIndex::build(docs)?;
    let built = started.elapsed();
    println!(
        "built the index in {:.2} s ({:.0} resources a second)",
        built.as_secs_f64(),
        count as f64 / built.as_secs_f64()
    );
    let started = Instant::now();
    let changed = generated(1, &pool, &mut rng);
    index.apply(changed, &[])?;
    println!("changed one resource in {:.1} ms", ms(started.elapsed()));

    let long: Vec<&String> = distinct.iter().filter(|w| w.len() >= 6).collect();
    let mut classes: Vec<(&str, Vec<Duration>, usize)> = vec![
        ("one word", Vec::new(), 0),
        ("two words", Vec::new(), 0),
        ("mistyped word", Vec::new(), 0),
        ("word and filter", Vec::new(), 0),
        ("browse by filter", Vec::new(), 0),
    ];
    for i in 0..queries {
        let class = i % classes.len();
        let word = distinct.choose(&mut rng).cloned().unwrap_or_default();
        let mut request = Request {
            limit: 20,
            ..Request::default()
        };
        match class {
            0 => request.text = word,
            1 => {
                request.text = format!(
                    "{word} {}",
                    distinct.choose(&mut rng).cloned().unwrap_or_default()
                )
            }
            2 => {
                let w = long
                    .choose(&mut rng)
                    .map(|w| w.as_str())
                    .unwrap_or("bullying");
                request.text = mistyped(&mut rng, w);
            }
            3 => {
                request.text = word;
                request.topic = Topic::ALL.choose(&mut rng).map(|t| t.code().to_owned());
            }
            _ => {
                request.audience = Audience::ALL.choose(&mut rng).map(|a| a.code().to_owned());
                request.year = Some(rng.gen_range(2010..=2026));
            }
        }
        let started = Instant::now();
        let found = index.search(&request)?;
        let took = started.elapsed();
        if let Some((_, times, hits)) = classes.get_mut(class) {
            times.push(took);
            *hits += found.total.min(1);
        }
    }
    println!(
        "{:<18} {:>8} {:>9} {:>9} {:>9} {:>12}",
        "search", "count", "p50 ms", "p95 ms", "p99 ms", "with results"
    );
    let mut all = Vec::new();
    for (name, mut times, hits) in classes {
        times.sort();
        println!(
            "{:<18} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>11.0}%",
            name,
            times.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 0.99)),
            100.0 * hits as f64 / times.len().max(1) as f64
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "{:<18} {:>8} {:>9.2} {:>9.2} {:>9.2}",
        "all",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
    );
    Ok(())
}
