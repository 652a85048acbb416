//! Staff voice's similar-idea index: while someone types an idea's title, the shown ideas
//! of the same challenge that share its words, best first, so people support an idea that
//! is there already rather than post it again. Titles count most; words are stemmed, so
//! "breaks" finds "break"; everyday words ("the", "we") are left out, as they would make
//! every idea look alike.

use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TokenStream;
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::SearchError;

/// An idea as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaDoc {
    pub id: u64,
    pub challenge: u64,
    pub title: String,
    pub body: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    challenge: Field,
    title: Field,
    body: Field,
}

pub struct IdeaIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

/// Words too common to say two ideas are alike.
const EVERYDAY: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from", "get",
    "have", "how", "i", "if", "in", "is", "it", "make", "more", "my", "no", "not", "of", "on",
    "or", "our", "so", "that", "the", "their", "there", "they", "this", "to", "us", "use", "was",
    "we", "what", "when", "who", "will", "with", "would", "you", "your",
];

/// Most words of a title looked up; the rest are ignored.
const MOST_WORDS: usize = 12;

impl IdeaIndex {
    /// A new index holding `docs`.
    pub fn build(docs: impl IntoIterator<Item = IdeaDoc>) -> Result<IdeaIndex, SearchError> {
        let mut builder = Schema::builder();
        let stemmed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: builder.add_u64_field("id", INDEXED | STORED | FAST),
            challenge: builder.add_u64_field("challenge", INDEXED),
            title: builder.add_text_field("title", stemmed.clone()),
            body: builder.add_text_field("body", stemmed),
        };
        let index = Index::create_in_ram(builder.build());
        let writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index.reader()?;
        let ideas = IdeaIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        };
        ideas.apply(docs, &[])?;
        Ok(ideas)
    }

    /// Adds or replaces `upserts` and removes `removed`, then makes them searchable.
    pub fn apply(
        &self,
        upserts: impl IntoIterator<Item = IdeaDoc>,
        removed: &[u64],
    ) -> Result<(), SearchError> {
        let f = self.fields;
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for id in removed {
            writer.delete_term(Term::from_field_u64(f.id, *id));
        }
        for doc in upserts {
            writer.delete_term(Term::from_field_u64(f.id, doc.id));
            let mut d = TantivyDocument::default();
            d.add_u64(f.id, doc.id);
            d.add_u64(f.challenge, doc.challenge);
            d.add_text(f.title, &doc.title);
            d.add_text(f.body, &doc.body);
            writer.add_document(d)?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// How many ideas are indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stemmed words of `text` worth matching on.
    fn words(&self, text: &str) -> Vec<String> {
        let Some(mut tokenizer) = self.index.tokenizers().get("en_stem") else {
            return Vec::new();
        };
        let mut plain = text.to_lowercase();
        plain.retain(|c| c.is_alphanumeric() || c.is_whitespace());
        let kept: String = plain
            .split_whitespace()
            .filter(|w| !EVERYDAY.contains(w))
            .take(MOST_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        let mut stream = tokenizer.token_stream(&kept);
        let mut out = Vec::new();
        while stream.advance() {
            let word = stream.token().text.clone();
            if !out.contains(&word) {
                out.push(word);
            }
        }
        out
    }

    /// Up to `limit` ideas of `challenge` most like `title`, best first.
    pub fn similar(
        &self,
        challenge: u64,
        title: &str,
        limit: usize,
    ) -> Result<Vec<u64>, SearchError> {
        let f = self.fields;
        let words = self.words(title);
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            let in_title = TermQuery::new(
                Term::from_field_text(f.title, word),
                IndexRecordOption::WithFreqs,
            );
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(in_title), 3.0)),
            ));
            let in_body = TermQuery::new(
                Term::from_field_text(f.body, word),
                IndexRecordOption::WithFreqs,
            );
            any.push((Occur::Should, Box::new(in_body)));
        }
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.challenge, challenge),
                    IndexRecordOption::Basic,
                )),
            ),
            (Occur::Must, Box::new(BooleanQuery::new(any))),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idea(id: u64, challenge: u64, title: &str, body: &str) -> IdeaDoc {
        IdeaDoc {
            id,
            challenge,
            title: title.into(),
            body: body.into(),
        }
    }

    #[test]
    fn finds_ideas_alike_in_the_same_challenge_only() -> Result<(), SearchError> {
        let index = IdeaIndex::build([
            idea(
                1,
                7,
                "Protected breaks on every shift",
                "Cover so nurses can rest",
            ),
            idea(2, 7, "Free parking for night staff", "Nights are hard"),
            idea(3, 8, "Protected break rooms", "A quiet room"),
            idea(4, 7, "Better rotas", "Fair shifts and breaks"),
        ])?;
        let found = index.similar(7, "We need proper breaks", 5)?;
        assert_eq!(found.first(), Some(&1), "the title match first: {found:?}");
        assert!(found.contains(&4), "a body match too: {found:?}");
        assert!(!found.contains(&3), "another challenge's idea: {found:?}");
        assert!(!found.contains(&2));
        // Everyday words alone match nothing.
        assert!(index.similar(7, "the and we how", 5)?.is_empty());
        assert!(index.similar(7, "", 5)?.is_empty());
        // A removed idea is no longer suggested.
        index.apply([], &[1])?;
        assert!(!index.similar(7, "breaks", 5)?.contains(&1));
        Ok(())
    }
}
