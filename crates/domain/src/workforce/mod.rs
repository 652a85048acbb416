//! Workforce data for the Workforce Race Equality Standard (WRES) and the Workforce
//! Disability Equality Standard (WDES): the codes ESR's reports use ([`codes`]) and the
//! extracts read from CSV files ([`extract`]). Pure: the caller reads the file, supplies
//! the organisation's units and the keyed digest that stands for a person, and stores what
//! comes back. docs/workforce.md describes the files.

pub mod codes;
pub mod extract;
mod sheet;

pub use codes::{
    AgeBand, Clinical, Disability, Ethnicity, FormalProcess, LeavingReason, NotAFormalProcess,
    PayGrade, Sex, StaffGroup, UnknownCode, WdesCluster, WresGroup,
};
pub use extract::{
    Applicant, BoardMember, Column, FormalEntry, Leaving, LeavingAccount, StaffRecord,
    TrainingRecord, Unit, employee_number, parse_board, parse_formal, parse_leaving_accounts,
    parse_recruitment, parse_staff, parse_training,
};
pub use sheet::{ExtractError, ExtractErrors, MAX_ERRORS, Problem};
