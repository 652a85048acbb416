//! Copying a whole installation from one database to another (for example from the
//! single-organisation SQLite file to a regional PostgreSQL server), then checking that
//! every table holds the same number of rows.

use crate::{Backend, Db, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

use Kind::{Blob, Int, Real, Text};

/// Every table, parents before children, with its columns. A test checks this list against
/// the schema, so a new table cannot be forgotten here.
/// A table's name, the column to copy in order of, and its columns.
type TableSpec = (&'static str, &'static str, &'static [(&'static str, Kind)]);

const TABLES: &[TableSpec] = &[
    (
        "organisations",
        "id",
        &[
            ("id", Int),
            ("ods_code", Text),
            ("name", Text),
            ("org_type", Text),
            ("region", Text),
            ("benchmark_group", Text),
            ("created_at", Int),
        ],
    ),
    (
        "org_units",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("parent_id", Int),
            ("kind", Text),
            ("name", Text),
            ("created_at", Int),
        ],
    ),
    (
        "people",
        "id",
        &[
            ("id", Int),
            ("email", Text),
            ("display_name", Text),
            ("passphrase_hash", Text),
            ("totp_secret", Text),
            ("totp_last_step", Int),
            ("disabled", Int),
            ("created_at", Int),
        ],
    ),
    (
        "memberships",
        "person_id",
        &[
            ("person_id", Int),
            ("organisation_id", Int),
            ("role", Text),
            ("granted_at", Int),
            ("from_provider", Int),
        ],
    ),
    (
        "region_roles",
        "person_id",
        &[
            ("person_id", Int),
            ("region", Text),
            ("role", Text),
            ("granted_at", Int),
        ],
    ),
    (
        "platform_roles",
        "person_id",
        &[("person_id", Int), ("role", Text), ("granted_at", Int)],
    ),
    (
        "sessions",
        "token_digest",
        &[
            ("token_digest", Text),
            ("person_id", Int),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("expires_at", Int),
            ("second_factor_done", Int),
            ("provider_organisation_id", Int),
        ],
    ),
    (
        "external_identities",
        "person_id",
        &[
            ("issuer", Text),
            ("subject", Text),
            ("person_id", Int),
            ("created_at", Int),
        ],
    ),
    (
        "sign_in_requests",
        "handle_digest",
        &[
            ("handle_digest", Text),
            ("organisation_id", Int),
            ("state", Text),
            ("nonce", Text),
            ("pkce_verifier", Text),
            ("next_path", Text),
            ("link_person_id", Int),
            ("expires_at", Int),
        ],
    ),
    (
        "privacy_notices",
        "organisation_id",
        &[
            ("organisation_id", Int),
            ("body", Text),
            ("updated_at", Int),
        ],
    ),
    (
        "provisioned_people",
        "person_id",
        &[
            ("organisation_id", Int),
            ("person_id", Int),
            ("external_id", Text),
            ("turned_off", Int),
        ],
    ),
    (
        "outcomes",
        "organisation_id, measure, period",
        &[
            ("organisation_id", Int),
            ("measure", Text),
            ("period", Text),
            ("value", Real),
            ("rated_on", Text),
            ("imported_at", Int),
        ],
    ),
    (
        "board_packs",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("quarter", Text),
            ("scheduled", Int),
            ("issued_at", Int),
            ("issued_by", Text),
            ("digest", Text),
            ("pdf", Blob),
            ("content", Blob),
        ],
    ),
    (
        "leaving_accounts",
        "person_id",
        &[
            ("organisation_id", Int),
            ("person_id", Int),
            ("leaves_on", Text),
        ],
    ),
    (
        "login_failures",
        "id",
        &[("id", Int), ("throttle_key", Text), ("at", Int)],
    ),
    (
        "audit_head",
        "id",
        &[("id", Int), ("last_seq", Int), ("last_hash", Text)],
    ),
    (
        "speakup_settings",
        "organisation_id",
        &[
            ("organisation_id", Int),
            ("recovery_public_key", Text),
            ("acknowledge_working_days", Int),
            ("created_at", Int),
        ],
    ),
    (
        "caseworker_keys",
        "person_id",
        &[
            ("person_id", Int),
            ("public_key", Text),
            ("wrapped_secret", Blob),
            ("created_at", Int),
        ],
    ),
    (
        "cases",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("case_type", Text),
            ("identity_level", Text),
            ("public_key", Text),
            ("receipt_lookup", Text),
            ("receipt_salt", Blob),
            ("receipt_verifier", Blob),
            ("status", Text),
            ("org_unit_id", Int),
            ("patient_safety", Text),
            ("assigned_to", Int),
            ("received_on", Text),
            ("acknowledge_by", Text),
            ("acknowledged_on", Text),
            ("closed_on", Text),
            ("elements", Text),
            ("professional_group", Text),
            ("feedback", Text),
            ("detriment_check_due", Text),
            ("detriment_checked_on", Text),
            ("detriment_found", Int),
            ("stage", Text),
            ("stage_due", Text),
            ("last_reply_on", Text),
            ("reporter_read_on", Text),
        ],
    ),
    (
        "case_seals",
        "case_id",
        &[("case_id", Int), ("holder", Text), ("sealed", Blob)],
    ),
    (
        "case_entries",
        "id",
        &[
            ("id", Int),
            ("case_id", Int),
            ("kind", Text),
            ("author_person_id", Int),
            ("written_on", Text),
            ("position", Int),
            ("ciphertext", Blob),
        ],
    ),
    (
        "speakup_return_signoffs",
        "organisation_id, year, quarter",
        &[
            ("organisation_id", Int),
            ("year", Int),
            ("quarter", Int),
            ("signed_off_by", Int),
            ("signed_off_on", Text),
            ("figures_digest", Text),
            ("sent_by", Int),
            ("sent_on", Text),
        ],
    ),
    (
        "surveys",
        "id",
        &[
            ("id", Int),
            ("key", Text),
            ("title", Text),
            ("definition", Text),
            ("created_at", Int),
        ],
    ),
    (
        "survey_campaigns",
        "id",
        &[
            ("id", Int),
            ("survey_id", Int),
            ("organisation_id", Int),
            ("title", Text),
            ("opens_on", Text),
            ("closes_on", Text),
            ("year", Int),
            ("participation", Text),
            ("created_at", Int),
            ("responses", Int),
        ],
    ),
    (
        "survey_tokens",
        "token_digest",
        &[("token_digest", Text), ("campaign_id", Int)],
    ),
    (
        "survey_participants",
        "person_digest",
        &[("campaign_id", Int), ("person_digest", Text)],
    ),
    (
        "survey_responses",
        "id",
        &[
            ("id", Text),
            ("campaign_id", Int),
            ("answers", Blob),
            ("groupings", Blob),
        ],
    ),
    (
        "survey_drafts",
        "holder_digest",
        &[
            ("holder_digest", Text),
            ("campaign_id", Int),
            ("sealed", Blob),
        ],
    ),
    (
        "survey_pending",
        "id",
        &[("id", Text), ("campaign_id", Int), ("sealed", Blob)],
    ),
    (
        "survey_pledge_maps",
        "organisation_id",
        &[("organisation_id", Int), ("mapping", Text)],
    ),
    (
        "survey_comments",
        "id",
        &[
            ("id", Text),
            ("campaign_id", Int),
            ("question_key", Text),
            ("body", Text),
        ],
    ),
    (
        "plans",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("title", Text),
            ("period_start", Text),
            ("period_end", Text),
            ("summary", Text),
            ("version", Int),
            ("published_version", Int),
            ("published_at", Int),
            ("created_at", Int),
        ],
    ),
    (
        "plan_groups",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("position", Int),
            ("title", Text),
            ("removed_in_version", Int),
        ],
    ),
    (
        "plan_actions",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("group_id", Int),
            ("parent_id", Int),
            ("title", Text),
            ("description", Text),
            ("owner", Text),
            ("employer_lead", Text),
            ("union_lead", Text),
            ("starts_on", Text),
            ("due_on", Text),
            ("status", Text),
            ("status_reason", Text),
            ("progress", Int),
            ("weight", Int),
            ("position", Int),
            ("added_in_version", Int),
            ("removed_in_version", Int),
        ],
    ),
    (
        "plan_updates",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("written_on", Text),
            ("at", Int),
            ("author", Text),
            ("body", Text),
            ("links", Text),
        ],
    ),
    (
        "plan_indicators",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("code", Text),
            ("baseline", Real),
            ("target", Real),
            ("latest", Real),
            ("source", Text),
            ("added_in_version", Int),
            ("removed_in_version", Int),
        ],
    ),
    (
        "plan_milestones",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("title", Text),
            ("due_on", Text),
            ("done", Int),
            ("added_in_version", Int),
            ("removed_in_version", Int),
        ],
    ),
    (
        "plan_followers",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("email", Text),
            ("token", Text),
            ("confirmed_at", Int),
            ("created_at", Int),
        ],
    ),
    (
        "plan_notices",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("old_status", Text),
            ("old_progress", Int),
            ("new_status", Text),
            ("new_progress", Int),
            ("at", Int),
        ],
    ),
    (
        "plan_comments",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("person_id", Int),
            ("body", Text),
            ("state", Text),
            ("written_at", Int),
            ("moderated_at", Int),
        ],
    ),
    (
        "plan_signed",
        "plan_id",
        &[("plan_id", Int), ("version", Int), ("content", Text)],
    ),
    (
        "plan_approvals",
        "plan_id",
        &[
            ("plan_id", Int),
            ("version", Int),
            ("side", Text),
            ("person_id", Int),
            ("approved_at", Int),
        ],
    ),
    (
        "plan_history",
        "id",
        &[
            ("id", Int),
            ("plan_id", Int),
            ("action_id", Int),
            ("version", Int),
            ("at", Int),
            ("actor", Text),
            ("summary", Text),
            ("snapshot", Text),
        ],
    ),
    (
        "library_resources",
        "id",
        &[
            ("id", Int),
            ("kind", Text),
            ("title", Text),
            ("summary", Text),
            ("publisher", Text),
            ("link", Text),
            ("audiences", Text),
            ("topics", Text),
            ("published", Text),
            ("review_on", Text),
            ("case_organisation", Text),
            ("case_problem", Text),
            ("case_approach", Text),
            ("case_results", Text),
            ("case_contacts", Text),
            ("retired_at", Int),
            ("created_at", Int),
            ("updated_at", Int),
            ("updated_by", Text),
        ],
    ),
    (
        "library_changes",
        "id",
        &[("id", Int), ("resource_id", Int)],
    ),
    (
        "library_pins",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("title", Text),
            ("body", Text),
            ("link", Text),
            ("created_at", Int),
        ],
    ),
    (
        "news_posts",
        "id",
        &[
            ("id", Int),
            ("title", Text),
            ("body", Text),
            ("audiences", Text),
            ("topics", Text),
            ("published_at", Int),
            ("author", Text),
        ],
    ),
    (
        "news_subscribers",
        "id",
        &[
            ("id", Int),
            ("email", Text),
            ("token", Text),
            ("topics", Text),
            ("confirmed_at", Int),
            ("created_at", Int),
        ],
    ),
    (
        "events",
        "id",
        &[
            ("id", Int),
            ("title", Text),
            ("description", Text),
            ("format", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("location", Text),
            ("joining", Text),
            ("capacity", Int),
            ("organiser", Text),
            ("created_at", Int),
            ("changes", Int),
        ],
    ),
    (
        "event_bookings",
        "id",
        &[
            ("id", Int),
            ("event_id", Int),
            ("name", Text),
            ("email", Text),
            ("token", Text),
            ("state", Text),
            ("booked_at", Int),
            ("reminded", Int),
            ("resent_on", Int),
        ],
    ),
    (
        "mail_outbox",
        "id",
        &[
            ("id", Int),
            ("purpose", Text),
            ("to_address", Text),
            ("subject", Text),
            ("body", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("last_error", Text),
            ("attachment_name", Text),
            ("attachment_type", Text),
            ("attachment", Text),
        ],
    ),
    (
        "workforce_snapshots",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("kind", Text),
            ("as_at", Text),
            ("imported_on", Text),
            ("row_count", Int),
            ("sealed", Blob),
            ("sealed_counts", Blob),
            ("version", Text),
            ("held_beside", Text),
            ("sealed_tables", Blob),
        ],
    ),
    (
        "workforce_remembered",
        "version",
        &[
            ("version", Text),
            ("organisation_id", Int),
            ("kind", Text),
            ("as_at", Text),
            ("sealed_tables", Blob),
            ("sealed_rows", Blob),
        ],
    ),
    (
        "workforce_staff",
        "snapshot_id, person",
        &[
            ("snapshot_id", Int),
            ("person", Text),
            ("unit_id", Int),
            ("staff_group", Text),
            ("pay_grade", Text),
            ("clinical", Int),
            ("ethnicity", Text),
            ("disability", Text),
            ("sex", Text),
            ("age_band", Text),
            ("started_on", Text),
            ("wte", Real),
            ("days_lost", Real),
            ("left_on", Text),
            ("leaving_reason", Text),
        ],
    ),
    (
        "workforce_recruitment",
        "snapshot_id, ethnicity, disability",
        &[
            ("snapshot_id", Int),
            ("ethnicity", Text),
            ("disability", Text),
            ("shortlisted", Int),
            ("appointed", Int),
        ],
    ),
    (
        "workforce_training",
        "snapshot_id, person",
        &[
            ("snapshot_id", Int),
            ("person", Text),
            ("ethnicity", Text),
            ("accessed", Int),
        ],
    ),
    (
        "workforce_board",
        "snapshot_id, seat",
        &[
            ("snapshot_id", Int),
            ("seat", Int),
            ("ethnicity", Text),
            ("disability", Text),
            ("voting", Int),
            ("executive", Int),
        ],
    ),
    (
        "workforce_formal",
        "organisation_id, as_at, process, ethnicity, disability",
        &[
            ("organisation_id", Int),
            ("as_at", Text),
            ("imported_on", Text),
            ("process", Text),
            ("ethnicity", Text),
            ("disability", Text),
            ("entered", Int),
        ],
    ),
    (
        "workforce_formal_sealed",
        "organisation_id, as_at",
        &[
            ("organisation_id", Int),
            ("as_at", Text),
            ("imported_on", Text),
            ("sealed", Blob),
            ("version", Text),
            ("held_beside", Text),
        ],
    ),
    (
        "equality_reports",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("standard", Text),
            ("year", Int),
            ("version", Int),
            ("summary", Text),
            ("figures", Text),
            ("plan_actions", Text),
            ("written_by", Int),
            ("written_on", Text),
            ("published_on", Text),
        ],
    ),
    (
        "equality_report_signatures",
        "report_id, side",
        &[
            ("report_id", Int),
            ("side", Text),
            ("person_id", Int),
            ("signed_on", Text),
        ],
    ),
    (
        "jc_guides",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("org_unit_id", Int),
            ("manager_id", Int),
            ("person_digest", Text),
            ("started_on", Text),
            ("answers", Text),
            ("recommended", Text),
            ("decided", Text),
            ("public_key", Text),
            ("record", Blob),
            ("check_state", Text),
            ("checked_by", Int),
            ("checked_on", Text),
            ("check_reason", Blob),
        ],
    ),
    (
        "jc_guide_seals",
        "guide_id, holder",
        &[("guide_id", Int), ("holder", Text), ("sealed", Blob)],
    ),
    (
        "er_cases",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("org_unit_id", Int),
            ("case_type", Text),
            ("person_digest", Text),
            ("guide_id", Int),
            ("fast_track", Int),
            ("opened_by", Int),
            ("opened_on", Text),
            ("stage", Text),
            ("stage_since", Text),
            ("investigator_id", Int),
            ("outcome", Text),
            ("appeal_outcome", Text),
            ("closed_on", Text),
            ("version", Int),
            ("public_key", Text),
            ("details", Blob),
            ("grievance_link", Text),
        ],
    ),
    (
        "er_case_stages",
        "case_id, position",
        &[
            ("case_id", Int),
            ("position", Int),
            ("stage", Text),
            ("started_on", Text),
            ("recorded_on", Text),
        ],
    ),
    (
        "er_case_seals",
        "case_id, holder",
        &[("case_id", Int), ("holder", Text), ("sealed", Blob)],
    ),
    (
        "er_case_entries",
        "id",
        &[
            ("id", Int),
            ("case_id", Int),
            ("kind", Text),
            ("written_on", Text),
            ("written_by", Int),
            ("record", Blob),
        ],
    ),
    (
        "er_suspensions",
        "id",
        &[
            ("id", Int),
            ("case_id", Int),
            ("kind", Text),
            ("started_on", Text),
            ("review_due", Text),
            ("reminded_for", Text),
            ("ended_on", Text),
            ("reason", Blob),
            ("recorded_on", Text),
            ("end_recorded_on", Text),
        ],
    ),
    (
        "er_suspension_reviews",
        "id",
        &[
            ("id", Int),
            ("suspension_id", Int),
            ("reviewed_on", Text),
            ("wellbeing_checked", Int),
            ("continues", Int),
            ("note", Blob),
        ],
    ),
    (
        "er_settings",
        "organisation_id",
        &[
            ("organisation_id", Int),
            ("standard_days", Text),
            ("fast_track_days", Text),
            ("review_every_days", Int),
        ],
    ),
    (
        "price_assumptions",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("assumption", Text),
            ("value", Real),
            ("reason", Text),
            ("changed_by", Int),
            ("changed_on", Text),
        ],
    ),
    (
        "diagnostic_frameworks",
        "id",
        &[
            ("id", Int),
            ("key", Text),
            ("version", Int),
            ("title", Text),
            ("definition", Text),
            ("added_at", Int),
        ],
    ),
    (
        "diagnostic_rounds",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("framework_id", Int),
            ("title", Text),
            ("lead_id", Int),
            ("opened_by", Int),
            ("opened_on", Text),
            ("version", Int),
        ],
    ),
    (
        "diagnostic_assessors",
        "round_id, person_id",
        &[
            ("round_id", Int),
            ("person_id", Int),
            ("assessor_role", Text),
            ("invited_by", Int),
            ("invited_on", Text),
            ("sent_on", Text),
        ],
    ),
    (
        "diagnostic_ratings",
        "round_id, person_id, statement",
        &[
            ("round_id", Int),
            ("person_id", Int),
            ("statement", Text),
            ("rating", Int),
            ("evidence", Text),
            ("links", Text),
            ("saved_on", Text),
        ],
    ),
    (
        "diagnostic_agreed",
        "round_id, statement",
        &[
            ("round_id", Int),
            ("statement", Text),
            ("rating", Int),
            ("reason", Text),
            ("agreed_by", Int),
            ("agreed_on", Text),
        ],
    ),
    (
        "diagnostic_signoffs",
        "round_id, side",
        &[
            ("round_id", Int),
            ("side", Text),
            ("person_id", Int),
            ("signed_on", Text),
            ("version", Int),
        ],
    ),
    (
        "diagnostic_levels",
        "round_id",
        &[("round_id", Int), ("levels", Text)],
    ),
    (
        "organisation_systems",
        "organisation_id",
        &[("organisation_id", Int), ("icb_id", Int)],
    ),
    (
        "voice_names",
        "person_id",
        &[("person_id", Int), ("display_name", Text), ("folded", Text)],
    ),
    (
        "voice_staff_groups",
        "person_id",
        &[("person_id", Int), ("staff_group", Text), ("given_at", Int)],
    ),
    (
        "voice_challenges",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("question", Text),
            ("description", Text),
            ("topics", Text),
            ("opens_on", Text),
            ("closes_on", Text),
            ("support_threshold", Int),
            ("answer_within_days", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("last_event", Int),
        ],
    ),
    (
        "voice_ideas",
        "id",
        &[
            ("id", Int),
            ("challenge_id", Int),
            ("author_id", Int),
            ("title", Text),
            ("body", Text),
            ("posted_at", Int),
            ("moderation", Text),
            ("moderation_reason", Text),
            ("was_shown", Int),
            ("state", Text),
            ("answer", Text),
            ("answered_on", Text),
            ("answer_by", Text),
            ("supporters", Int),
            ("comments", Int),
            ("plan_id", Int),
            ("plan_action_id", Int),
            ("topic", Text),
            ("trend_key", Real),
            ("last_event", Int),
        ],
    ),
    (
        "voice_supports",
        "idea_id, person_id",
        &[("idea_id", Int), ("person_id", Int), ("supported_at", Int)],
    ),
    (
        "voice_updates",
        "id",
        &[
            ("id", Int),
            ("challenge_id", Int),
            ("author_id", Int),
            ("title", Text),
            ("body", Text),
            ("posted_at", Int),
            ("comments", Int),
        ],
    ),
    (
        "voice_comments",
        "id",
        &[
            ("id", Int),
            ("idea_id", Int),
            ("update_id", Int),
            ("reply_to", Int),
            ("author_id", Int),
            ("body", Text),
            ("posted_at", Int),
            ("moderation", Text),
            ("moderation_reason", Text),
            ("was_shown", Int),
        ],
    ),
    (
        "voice_reports",
        "id",
        &[
            ("id", Int),
            ("post_kind", Text),
            ("post_id", Int),
            ("reporter_id", Int),
            ("reason", Text),
            ("reported_at", Int),
            ("settled_at", Int),
        ],
    ),
    (
        "voice_decisions",
        "id",
        &[
            ("id", Int),
            ("post_kind", Text),
            ("post_id", Int),
            ("moderator", Text),
            ("action", Text),
            ("rule", Int),
            ("reason", Text),
            ("decided_at", Int),
        ],
    ),
    (
        "voice_appeals",
        "id",
        &[
            ("id", Int),
            ("post_kind", Text),
            ("post_id", Int),
            ("author_id", Int),
            ("words", Text),
            ("made_at", Int),
        ],
    ),
    ("voice_idea_changes", "id", &[("id", Int), ("idea_id", Int)]),
    (
        "voice_blocks",
        "person_id",
        &[
            ("person_id", Int),
            ("blocked_by", Text),
            ("reason", Text),
            ("blocked_at", Int),
        ],
    ),
    (
        "voice_follows",
        "id",
        &[
            ("id", Int),
            ("person_id", Int),
            ("challenge_id", Int),
            ("idea_id", Int),
            ("since_event", Int),
        ],
    ),
    (
        "voice_events",
        "id",
        &[
            ("id", Int),
            ("challenge_id", Int),
            ("idea_id", Int),
            ("update_id", Int),
            ("kind", Text),
            ("detail", Text),
            ("at", Int),
        ],
    ),
    (
        "voice_digests",
        "person_id",
        &[
            ("person_id", Int),
            ("told_through", Int),
            ("emailed_at", Int),
        ],
    ),
    (
        "voice_feed_keys",
        "person_id",
        &[("person_id", Int), ("digest", Text), ("made_at", Int)],
    ),
    (
        "voice_final_figures",
        "challenge_id",
        &[
            ("challenge_id", Int),
            ("counted_before", Int),
            ("tables", Text),
        ],
    ),
    (
        "board_members",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("person_id", Int),
            ("public_key", Text),
            ("profile", Blob),
            ("version", Int),
            ("added_on", Text),
            ("appraised_on", Text),
        ],
    ),
    (
        "board_self_assessments",
        "id",
        &[
            ("id", Int),
            ("member_id", Int),
            ("made_on", Text),
            ("words", Blob),
        ],
    ),
    (
        "board_references",
        "member_id",
        &[
            ("member_id", Int),
            ("written_on", Text),
            ("written_by", Int),
            ("words", Blob),
        ],
    ),
    (
        "board_reference_requests",
        "id",
        &[
            ("id", Int),
            ("for_member_id", Int),
            ("of_member_id", Int),
            ("requested_on", Text),
            ("requested_by", Int),
            ("released_on", Text),
            ("released_by", Int),
            ("words", Blob),
        ],
    ),
    (
        "board_member_seals",
        "member_id, holder",
        &[("member_id", Int), ("holder", Text), ("sealed", Blob)],
    ),
    (
        "board_seats",
        "id",
        &[
            ("id", Int),
            ("member_id", Int),
            ("kind", Text),
            ("title", Text),
            ("voting", Int),
            ("interim", Int),
            ("starts_on", Text),
            ("ends_on", Text),
        ],
    ),
    (
        "board_checks",
        "id",
        &[
            ("id", Int),
            ("member_id", Int),
            ("kind", Text),
            ("done_on", Text),
            ("finding", Blob),
            ("recorded_by", Int),
        ],
    ),
    (
        "board_declarations",
        "id",
        &[
            ("id", Int),
            ("member_id", Int),
            ("made_on", Text),
            ("words", Blob),
        ],
    ),
    (
        "board_rounds",
        "id",
        &[
            ("id", Int),
            ("organisation_id", Int),
            ("year", Int),
            ("opened_on", Text),
            ("due_on", Text),
            ("opened_by", Int),
            ("signed_on", Text),
            ("signed_by", Int),
            ("published", Text),
            ("return_rows", Text),
            ("version", Int),
        ],
    ),
    (
        "board_assessments",
        "round_id, member_id",
        &[
            ("round_id", Int),
            ("member_id", Int),
            ("conclusion", Text),
            ("serious_misconduct", Int),
            ("without_everything", Int),
            ("concluded_on", Text),
            ("concluded_by", Int),
            ("notes", Blob),
        ],
    ),
    (
        "diagnostic_actions",
        "round_id, action_id",
        &[("round_id", Int), ("element", Text), ("action_id", Int)],
    ),
    (
        "audit_log",
        "seq",
        &[
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("organisation", Text),
            ("action", Text),
            ("detail", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    ),
];

/// Tables whose `id` comes from an identity sequence on PostgreSQL, which must be moved past
/// the copied ids. Cases and their entries are not among them: their ids are random.
const IDENTITY_TABLES: &[&str] = &[
    "organisations",
    "org_units",
    "people",
    "login_failures",
    "surveys",
    "survey_campaigns",
    "mail_outbox",
    "plans",
    "plan_groups",
    "plan_actions",
    "plan_history",
    "plan_updates",
    "plan_indicators",
    "plan_milestones",
    "plan_followers",
    "plan_notices",
    "plan_comments",
    "library_resources",
    "library_changes",
    "library_pins",
    "news_posts",
    "news_subscribers",
    "events",
    "event_bookings",
    "workforce_snapshots",
    "equality_reports",
    "jc_guides",
    "er_cases",
    "er_case_entries",
    "er_suspensions",
    "er_suspension_reviews",
    "price_assumptions",
    "diagnostic_frameworks",
    "diagnostic_rounds",
    "voice_challenges",
    "voice_ideas",
    "voice_updates",
    "voice_comments",
    "voice_reports",
    "voice_decisions",
    "voice_appeals",
    "voice_idea_changes",
    "voice_follows",
    "voice_events",
    "board_members",
    "board_seats",
    "board_checks",
    "board_declarations",
    "board_rounds",
    "board_self_assessments",
    "board_reference_requests",
    "board_packs",
];

/// Rows copied per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: i64,
}

pub fn table_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|(name, _, _)| *name)
}

/// Every (table, column) the copy carries, sorted, for checking against the schema: a
/// column missing here would be dropped silently by `migrate-data`.
pub fn column_names() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = TABLES
        .iter()
        .flat_map(|(table, _, columns)| {
            columns
                .iter()
                .map(move |(column, _)| ((*table).to_owned(), (*column).to_owned()))
        })
        .collect();
    all.sort();
    all
}

async fn count(db: &Db, table: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await?)
}

/// Copies everything from `from` to `to`. Both must be migrated; `to` must hold no
/// organisations or people. Runs in one transaction on the target: all or nothing.
/// `progress` is told each table as it finishes.
pub async fn copy_all(
    from: &Db,
    to: &Db,
    mut progress: impl FnMut(&TableCount),
) -> Result<Vec<TableCount>, StoreError> {
    for table in ["organisations", "people", "audit_log"] {
        if count(to, table).await? > 0 {
            return Err(StoreError::Conflict(format!(
                "The target database already has data in {table}. Copy into an empty database"
            )));
        }
    }
    let mut tx = to.begin_write().await?;
    sqlx::query("DELETE FROM audit_head")
        .execute(&mut *tx)
        .await?;
    let mut counts = Vec::new();
    for (table, order_by, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let rows: Vec<AnyRow> = sqlx::query(&format!(
            "SELECT {} FROM {table} ORDER BY {order_by}",
            names.join(", ")
        ))
        .fetch_all(from.pool())
        .await?;
        for row in &rows {
            // The columns are known only at run time, from TABLES, so they are read by name
            // here rather than through FromRow.
            let mut query = sqlx::query(&insert);
            for (name, kind) in columns.iter() {
                query = match kind {
                    Int => query.bind(row.try_get::<Option<i64>, _>(*name)?),
                    Real => query.bind(row.try_get::<Option<f64>, _>(*name)?),
                    Text => query.bind(row.try_get::<Option<String>, _>(*name)?),
                    Blob => query.bind(row.try_get::<Option<Vec<u8>>, _>(*name)?),
                };
            }
            query.execute(&mut *tx).await?;
        }
        let done = TableCount {
            table,
            rows: rows.len() as i64,
        };
        progress(&done);
        counts.push(done);
    }
    if to.backend() == Backend::Postgres {
        for table in IDENTITY_TABLES {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    for expected in &counts {
        let found = count(to, expected.table).await?;
        if found != expected.rows {
            return Err(StoreError::Corrupt(format!(
                "{} has {found} rows after copying, but the source has {}",
                expected.table, expected.rows
            )));
        }
    }
    Ok(counts)
}

/// The tables in a database's schema, for checking [`TABLES`] is complete.
pub async fn schema_tables(db: &Db) -> Result<Vec<String>, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY table_name"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_all(db.pool()).await?)
}

/// Every (table, column) in a database's schema, sorted, for checking [`TABLES`] and for
/// comparing the two backends' migrations.
pub async fn schema_columns(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let mut all: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(db.pool()).await?;
    all.sort();
    Ok(all)
}
