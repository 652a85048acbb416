//! The knowledge hub's search index, held in memory by each server and built from the
//! database (tantivy). Ranking is BM25 with the title counting most; words are stemmed, so
//! "bullied" finds "bullying"; a word that is in no resource is corrected to the nearest
//! word that is (one or two letters out), and the page says so; matches are highlighted;
//! kind, audience, topic and year are facets with counts.

pub mod ideas;

use std::sync::Mutex;

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TokenStream;
use tantivy::{Index, IndexReader, IndexWriter, Order, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index is in use by a failed update")]
    Poisoned,
}

/// A resource as the index sees it. Codes are the stored codes of kind, audiences and
/// topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub id: u64,
    pub title: String,
    pub summary: String,
    /// Everything else worth finding: publisher, case study text.
    pub body: String,
    pub kind: String,
    pub audiences: Vec<String>,
    pub topics: Vec<String>,
    /// None when the source does not say.
    pub year: Option<i64>,
    /// For newest-first order: year, month and day as one number (20181128).
    pub date: u64,
}

/// What someone searched for. Empty filters match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub text: String,
    pub kind: Option<String>,
    pub audience: Option<String>,
    pub topic: Option<String>,
    pub year: Option<i64>,
    /// From 0.
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: u64,
    /// HTML: the text escaped, matches in `<mark>`.
    pub title_html: String,
    pub summary_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    /// (code, count), most first.
    pub kind: Vec<(String, u64)>,
    pub audience: Vec<(String, u64)>,
    pub topic: Vec<(String, u64)>,
    /// (year, count), newest first.
    pub year: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The words searched for, when some were corrected.
    pub corrected: Option<String>,
    /// True when no resource had every word, so resources with any of them are shown.
    pub any_word: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    summary: Field,
    body: Field,
    words: Field,
    kind: Field,
    audience: Field,
    topic: Field,
    year: Field,
    date: Field,
}

pub struct LibraryIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

/// Longest query, in characters; the rest is ignored.
const LONGEST_QUERY: usize = 200;
/// Most words in one query.
const MOST_WORDS: usize = 12;

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED | FAST),
        title: builder.add_text_field("title", stemmed(true)),
        summary: builder.add_text_field("summary", stemmed(true)),
        body: builder.add_text_field("body", stemmed(false)),
        // Unstemmed words, the dictionary that mistyped words are corrected against.
        words: builder.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("default")
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        kind: builder.add_facet_field("kind", FacetOptions::default()),
        audience: builder.add_facet_field("audience", FacetOptions::default()),
        topic: builder.add_facet_field("topic", FacetOptions::default()),
        year: builder.add_facet_field("year", FacetOptions::default()),
        date: builder.add_u64_field("date", FAST),
    };
    (builder.build(), fields)
}

fn facet(root: &str, code: &str) -> Facet {
    Facet::from_path([root, code])
}

impl LibraryIndex {
    /// A new index holding `docs`.
    pub fn build(docs: impl IntoIterator<Item = Doc>) -> Result<LibraryIndex, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        let writer: IndexWriter = index.writer_with_num_threads(2, 100_000_000)?;
        let reader = index.reader()?;
        let library = LibraryIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        };
        library.apply(docs, &[])?;
        Ok(library)
    }

    fn document(&self, doc: &Doc) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_text(f.title, &doc.title);
        d.add_text(f.summary, &doc.summary);
        d.add_text(f.body, &doc.body);
        d.add_text(
            f.words,
            format!("{} {} {}", doc.title, doc.summary, doc.body),
        );
        d.add_facet(f.kind, facet("kind", &doc.kind));
        for a in &doc.audiences {
            d.add_facet(f.audience, facet("audience", a));
        }
        for t in &doc.topics {
            d.add_facet(f.topic, facet("topic", t));
        }
        if let Some(year) = doc.year {
            d.add_facet(f.year, facet("year", &year.to_string()));
        }
        d.add_u64(f.date, doc.date);
        d
    }

    /// Adds or replaces `upserts` and removes `removed`, then makes them searchable.
    pub fn apply(
        &self,
        upserts: impl IntoIterator<Item = Doc>,
        removed: &[u64],
    ) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for id in removed {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id));
        }
        for doc in upserts {
            writer.delete_term(Term::from_field_u64(self.fields.id, doc.id));
            writer.add_document(self.document(&doc))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// How many resources are searchable.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a text through one of the index's analysers.
    fn tokens(&self, analyser: &str, text: &str) -> Vec<String> {
        let Some(mut tokenizer) = self.index.tokenizers().get(analyser) else {
            return Vec::new();
        };
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The word in the catalogue nearest to a word that is in none of it: one letter out
    /// for short words, up to two for long ones; the most used wins a tie.
    fn correct(&self, searcher: &tantivy::Searcher, word: &str) -> Option<String> {
        let most = if word.chars().count() >= 7 { 2 } else { 1 };
        for distance in 1..=most {
            let query = FuzzyTermQuery::new(
                Term::from_field_text(self.fields.words, word),
                distance,
                true,
            );
            let Ok(automaton) = query.automaton() else {
                return None;
            };
            let mut best: Option<(u32, String)> = None;
            for segment in searcher.segment_readers() {
                let Ok(inverted) = segment.inverted_index(self.fields.words) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let freq = stream.value().doc_freq;
                    let Ok(text) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if best.as_ref().is_none_or(|(f, _)| freq > *f) {
                        best = Some((freq, text.to_owned()));
                    }
                }
            }
            if let Some((_, text)) = best {
                return Some(text);
            }
        }
        None
    }

    fn filters(&self, request: &Request) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field: Field, root: &str, code: &str| {
            out.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_facet(field, &facet(root, code)),
                    IndexRecordOption::Basic,
                )),
            ));
        };
        if let Some(kind) = &request.kind {
            add(f.kind, "kind", kind);
        }
        if let Some(a) = &request.audience {
            add(f.audience, "audience", a);
        }
        if let Some(t) = &request.topic {
            add(f.topic, "topic", t);
        }
        if let Some(y) = request.year {
            add(f.year, "year", &y.to_string());
        }
        out
    }

    /// One word, in any of the text fields, the title counting most.
    fn word_query(&self, stem: &str) -> Box<dyn Query> {
        let f = self.fields;
        let term = |field: Field| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, stem),
                IndexRecordOption::WithFreqs,
            ))
        };
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BoostQuery::new(term(f.title), 3.0))),
            (
                Occur::Should,
                Box::new(BoostQuery::new(term(f.summary), 1.5)),
            ),
            (Occur::Should, term(f.body)),
        ]))
    }

    pub fn search(&self, request: &Request) -> Result<Results, SearchError> {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let text: String = request.text.chars().take(LONGEST_QUERY).collect();
        let typed: Vec<String> = self
            .tokens("default", &text)
            .into_iter()
            .take(MOST_WORDS)
            .collect();
        // Correct words that are in no resource.
        let mut words = Vec::with_capacity(typed.len());
        let mut corrected = false;
        for word in &typed {
            let known = searcher.doc_freq(&Term::from_field_text(f.words, word))? > 0;
            match (known, word.chars().count() >= 3) {
                (false, true) => match self.correct(&searcher, word) {
                    Some(better) => {
                        corrected = true;
                        words.push(better);
                    }
                    None => words.push(word.clone()),
                },
                _ => words.push(word.clone()),
            }
        }
        let stems: Vec<String> = words
            .iter()
            .flat_map(|w| self.tokens("en_stem", w))
            .collect();
        let run = |occur: Occur| -> Result<(BooleanQuery, usize), SearchError> {
            let mut clauses = self.filters(request);
            if stems.is_empty() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            } else {
                let words: Vec<(Occur, Box<dyn Query>)> =
                    stems.iter().map(|s| (occur, self.word_query(s))).collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(words))));
            }
            let query = BooleanQuery::new(clauses);
            let total = searcher.search(&query, &Count)?;
            Ok((query, total))
        };
        let (mut query, mut total) = run(Occur::Must)?;
        let mut any_word = false;
        if total == 0 && stems.len() > 1 {
            (query, total) = run(Occur::Should)?;
            any_word = total > 0;
        }

        let count = |field: &str, root: &str| -> Result<Vec<(String, u64)>, SearchError> {
            let mut collector = FacetCollector::for_field(field);
            collector.add_facet(Facet::from_path([root]));
            let counts = searcher.search(&query, &collector)?;
            let mut out: Vec<(String, u64)> = counts
                .get(Facet::from_path([root]))
                .filter_map(|(facet, n)| facet.to_path().last().map(|code| ((*code).to_owned(), n)))
                .collect();
            out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Ok(out)
        };
        let mut year = count("year", "year")?;
        year.sort_by(|a, b| b.0.cmp(&a.0));
        let facets = Facets {
            kind: count("kind", "kind")?,
            audience: count("audience", "audience")?,
            topic: count("topic", "topic")?,
            year,
        };

        let limit = request.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let addresses: Vec<tantivy::DocAddress> = if stems.is_empty() {
            searcher
                .search(&query, &top.order_by_u64_field("date", Order::Desc))?
                .into_iter()
                .map(|(_, a)| a)
                .collect()
        } else {
            searcher
                .search(&query, &top.order_by_score())?
                .into_iter()
                .map(|(_, a)| a)
                .collect()
        };
        // Each fragment is as long as the whole text, so the text is shown whole.
        let mut title_snippets = SnippetGenerator::create(&searcher, &query, f.title)?;
        title_snippets.set_max_num_chars(1_000);
        let mut summary_snippets = SnippetGenerator::create(&searcher, &query, f.summary)?;
        summary_snippets.set_max_num_chars(10_000);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let id = doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0);
            let (title, summary) = (text_of(f.title), text_of(f.summary));
            let title_html = highlighted(&title_snippets, &title);
            let summary_html = highlighted(&summary_snippets, &summary);
            hits.push(Hit {
                id,
                title_html,
                summary_html,
            });
        }
        Ok(Results {
            total,
            hits,
            facets,
            corrected: corrected.then(|| words.join(" ")),
            any_word,
        })
    }
}

/// The whole text as HTML with its matches marked. A snippet's fragment runs from the
/// first word to the last, so the text before and after it is added back.
fn highlighted(generator: &SnippetGenerator, text: &str) -> String {
    let mut snippet = generator.snippet(text);
    if snippet.is_empty() {
        return escape(text);
    }
    snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
    let fragment = snippet.fragment();
    match text.find(fragment) {
        Some(start) => format!(
            "{}{}{}",
            escape(&text[..start]),
            snippet.to_html(),
            escape(&text[start + fragment.len()..])
        ),
        None => escape(text),
    }
}

/// Text made safe to place in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u64, title: &str, summary: &str, kind: &str, year: i64) -> Doc {
        Doc {
            id,
            title: title.into(),
            summary: summary.into(),
            body: "NHS Employers".into(),
            kind: kind.into(),
            audiences: vec!["staff".into()],
            topics: vec!["civility".into()],
            year: Some(year),
            date: year as u64 * 10_000,
        }
    }

    fn library() -> LibraryIndex {
        LibraryIndex::build([
            doc(
                1,
                "Tackling bullying at work",
                "A guide for safety representatives on <bullying>.",
                "guide",
                2018,
            ),
            doc(
                2,
                "Civility saves lives",
                "How rudeness harms care and what civility can do.",
                "video",
                2019,
            ),
            doc(
                3,
                "Bullied at work? What to do",
                "Steps staff can take if they are bullied.",
                "guide",
                2020,
            ),
        ])
        .unwrap()
    }

    fn ask(text: &str) -> Request {
        Request {
            text: text.into(),
            limit: 10,
            ..Request::default()
        }
    }

    #[test]
    fn ranked_stemmed_highlighted_and_escaped() {
        let lib = library();
        let found = lib.search(&ask("bullying")).unwrap();
        assert_eq!(found.total, 2, "stemming joins bullying and bullied");
        assert!(found.hits[0].title_html.contains("<mark>"));
        assert!(
            found
                .hits
                .iter()
                .any(|h| h.summary_html.ends_with("&lt;<mark>bullying</mark>&gt;.")),
            "{:?}",
            found.hits
        );
        assert!(found.corrected.is_none());
    }

    #[test]
    fn typos_are_corrected_and_said() {
        let lib = library();
        let found = lib.search(&ask("civilty")).unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.corrected.as_deref(), Some("civility"));
        let nothing = lib.search(&ask("zzzzqqq")).unwrap();
        assert_eq!(nothing.total, 0);
    }

    #[test]
    fn facets_count_and_filter() {
        let lib = library();
        let all = lib.search(&ask("")).unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(all.hits[0].id, 3, "newest first with no words");
        assert_eq!(all.facets.kind[0], ("guide".to_owned(), 2));
        assert_eq!(all.facets.year[0].0, "2020");
        let videos = lib
            .search(&Request {
                kind: Some("video".into()),
                ..ask("")
            })
            .unwrap();
        assert_eq!(videos.total, 1);
        // With no resource holding every word, any word will do, and the page says so.
        let either = lib.search(&ask("civility bullied")).unwrap();
        assert!(either.any_word && either.total == 3);
    }

    #[test]
    fn changes_and_removals_are_searchable_at_once() {
        let lib = library();
        lib.apply(
            [doc(2, "Respect saves lives", "Renamed.", "video", 2019)],
            &[1],
        )
        .unwrap();
        assert_eq!(lib.len(), 2);
        assert_eq!(lib.search(&ask("civility")).unwrap().total, 0);
        assert_eq!(lib.search(&ask("respect")).unwrap().total, 1);
        assert_eq!(lib.search(&ask("tackling")).unwrap().total, 0);
    }
}
