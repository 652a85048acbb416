//! What an event must be before it is added: named and described, in the future, ending
//! after it starts, somewhere to go when in person, and with 1 to 10,000 places. Checked
//! here so every way of adding an event keeps to it; the page only reads the form.

use super::NewEvent;
use crate::Context;
use dignity_domain::library::EventFormat;

/// Longest title, in characters.
const LONGEST_TITLE: usize = 200;
/// Longest description, in characters: as long as any Markdown the pages take.
const LONGEST_DESCRIPTION: usize = 20_000;
/// Longest place, and longest joining details, in characters.
const LONGEST_PLACE: usize = 300;
const LONGEST_JOINING: usize = 1_000;
/// Most places: a national webinar, not a stadium.
const MOST_PLACES: i64 = 10_000;

/// An event as its organiser typed it, read as far as the page could. A time is `None`
/// where the page could not read it (the page says why; nothing is checked against it);
/// a format or a number of places is `None` where none was given that reads as one.
#[derive(Debug, Clone, Copy)]
pub struct EventDraft<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub format: Option<EventFormat>,
    /// UTC seconds.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub location: &'a str,
    pub joining: &'a str,
    pub capacity: Option<i64>,
}

/// An event that passed [`check`]: the only thing [`super::create`] adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEvent(NewEvent);

impl CheckedEvent {
    pub fn event(&self) -> &NewEvent {
        &self.0
    }
}

/// Why an event was refused. The text is for the organiser; [`EventProblem::field`]
/// names the form field it is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EventProblem {
    #[error("Enter a title of 200 characters or fewer")]
    Title,
    #[error("Say what the event is about")]
    NoDescription,
    #[error("The description must be 20,000 characters or fewer")]
    DescriptionTooLong,
    #[error("Choose a webinar or an event in person")]
    NoFormat,
    #[error("The date of the event must be in the future")]
    NotInFuture,
    #[error("The event must end after it starts")]
    EndsBeforeItStarts,
    #[error("Enter where the event is")]
    NoPlace,
    #[error("The place and the joining details must be short")]
    PlaceTooLong,
    #[error("Enter how many places there are, from 1 to 10,000")]
    Places,
}

impl EventProblem {
    /// The form field the problem is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            EventProblem::Title => "title",
            EventProblem::NoDescription | EventProblem::DescriptionTooLong => "description",
            EventProblem::NoFormat => "format",
            // The day, not the time: an event today that has started is in the past.
            EventProblem::NotInFuture => "date-day",
            EventProblem::EndsBeforeItStarts => "ends",
            EventProblem::NoPlace => "location",
            EventProblem::PlaceTooLong => "joining",
            EventProblem::Places => "capacity",
        }
    }
}

/// Checks an event against the rules, as of the context's clock: the event to add, or
/// every problem found, in the order the form shows its fields. The list is empty when
/// only the times were missing, which the page has said.
pub fn check(ctx: &Context, draft: &EventDraft<'_>) -> Result<CheckedEvent, Vec<EventProblem>> {
    let mut problems = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > LONGEST_TITLE {
        problems.push(EventProblem::Title);
    }
    let description = draft.description.trim();
    if description.is_empty() {
        problems.push(EventProblem::NoDescription);
    } else if draft.description.chars().count() > LONGEST_DESCRIPTION {
        problems.push(EventProblem::DescriptionTooLong);
    }
    if draft.format.is_none() {
        problems.push(EventProblem::NoFormat);
    }
    if let (Some(starts_at), Some(ends_at)) = (draft.starts_at, draft.ends_at) {
        if starts_at <= ctx.clock.now() {
            problems.push(EventProblem::NotInFuture);
        }
        if ends_at <= starts_at {
            problems.push(EventProblem::EndsBeforeItStarts);
        }
    }
    let location = draft.location.trim();
    if draft.format == Some(EventFormat::InPerson) && location.is_empty() {
        problems.push(EventProblem::NoPlace);
    }
    if draft.location.chars().count() > LONGEST_PLACE
        || draft.joining.chars().count() > LONGEST_JOINING
    {
        problems.push(EventProblem::PlaceTooLong);
    }
    let capacity = draft
        .capacity
        .filter(|places| (1..=MOST_PLACES).contains(places));
    if capacity.is_none() {
        problems.push(EventProblem::Places);
    }
    match (
        draft.format,
        draft.starts_at,
        draft.ends_at,
        capacity,
        problems.is_empty(),
    ) {
        (Some(format), Some(starts_at), Some(ends_at), Some(capacity), true) => {
            Ok(CheckedEvent(NewEvent {
                title: title.into(),
                description: description.into(),
                format,
                starts_at,
                ends_at,
                location: location.into(),
                joining: draft.joining.trim().into(),
                capacity,
            }))
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::data::Backend;
    use dignity_store::scratch::ScratchDb;

    /// Noon on 15 January 2027.
    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3_600;

    fn webinar() -> EventDraft<'static> {
        EventDraft {
            title: "Speaking up for managers",
            description: "How to listen when someone speaks up.",
            format: Some(EventFormat::Webinar),
            starts_at: Some(NOW + 24 * HOUR),
            ends_at: Some(NOW + 25 * HOUR),
            location: "",
            joining: "https://meet.example.nhs.uk/listen",
            capacity: Some(100),
        }
    }

    async fn with_context<T>(run: impl AsyncFnOnce(&Context) -> T) -> T {
        let test_db = ScratchDb::new(Backend::Sqlite).await.unwrap();
        let ctx = Context::new(
            test_db.db.clone(),
            crate::Settings {
                clock: Clock::fixed(NOW),
                ..crate::Settings::default()
            },
        )
        .unwrap();
        let outcome = run(&ctx).await;
        test_db.finish().await;
        outcome
    }

    fn problems(ctx: &Context, draft: EventDraft<'_>) -> Vec<EventProblem> {
        check(ctx, &draft).err().unwrap_or_default()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_is_in_the_future_and_ends_after_it_starts() {
        with_context(async |ctx: &Context| {
            let checked = check(ctx, &webinar()).unwrap();
            assert_eq!(checked.event().capacity, 100);
            let past = EventDraft {
                starts_at: Some(NOW),
                ends_at: Some(NOW + HOUR),
                ..webinar()
            };
            assert_eq!(problems(ctx, past), [EventProblem::NotInFuture]);
            assert_eq!(EventProblem::NotInFuture.field(), "date-day");
            let backwards = EventDraft {
                ends_at: webinar().starts_at,
                ..webinar()
            };
            assert_eq!(problems(ctx, backwards), [EventProblem::EndsBeforeItStarts]);
            assert_eq!(EventProblem::EndsBeforeItStarts.field(), "ends");
            // Times the page could not read: it has said so, and nothing is added.
            let unread = EventDraft {
                starts_at: None,
                ..webinar()
            };
            assert_eq!(check(ctx, &unread), Err(Vec::new()));
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_has_1_to_10000_places_and_one_in_person_has_a_place_to_go() {
        with_context(async |ctx: &Context| {
            for places in [None, Some(0), Some(-3), Some(10_001)] {
                let draft = EventDraft {
                    capacity: places,
                    ..webinar()
                };
                assert_eq!(problems(ctx, draft), [EventProblem::Places], "{places:?}");
            }
            for places in [1, 10_000] {
                let draft = EventDraft {
                    capacity: Some(places),
                    ..webinar()
                };
                assert!(check(ctx, &draft).is_ok(), "{places}");
            }
            assert_eq!(EventProblem::Places.field(), "capacity");
            assert_eq!(
                EventProblem::Places.to_string(),
                "Enter how many places there are, from 1 to 10,000"
            );

            let nowhere = EventDraft {
                format: Some(EventFormat::InPerson),
                location: "  ",
                ..webinar()
            };
            assert_eq!(problems(ctx, nowhere), [EventProblem::NoPlace]);
            assert_eq!(EventProblem::NoPlace.field(), "location");
            let somewhere = EventDraft {
                location: "Education Centre, Room 2",
                ..nowhere
            };
            assert_eq!(
                check(ctx, &somewhere).unwrap().event().location,
                "Education Centre, Room 2"
            );
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_problem_is_found_at_once_in_the_order_of_the_form() {
        with_context(async |ctx: &Context| {
            let long = "x".repeat(1_001);
            let everything_wrong = EventDraft {
                title: " ",
                description: "",
                format: None,
                starts_at: Some(NOW - HOUR),
                ends_at: Some(NOW - 2 * HOUR),
                location: "",
                joining: &long,
                capacity: None,
            };
            let found = problems(ctx, everything_wrong);
            assert_eq!(
                found,
                [
                    EventProblem::Title,
                    EventProblem::NoDescription,
                    EventProblem::NoFormat,
                    EventProblem::NotInFuture,
                    EventProblem::EndsBeforeItStarts,
                    EventProblem::PlaceTooLong,
                    EventProblem::Places,
                ]
            );
            let fields: Vec<&str> = found.iter().map(|p| p.field()).collect();
            assert_eq!(
                fields,
                [
                    "title",
                    "description",
                    "format",
                    "date-day",
                    "ends",
                    "joining",
                    "capacity"
                ]
            );
        })
        .await;
    }
}
