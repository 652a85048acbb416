//! The pages about people and organisations: the home page, signing in and out with the
//! second step, unlocking a guardian's key, and an organisation's structure.

pub mod account;
pub mod home;
pub mod orgs;
pub mod people;
pub mod privacy;
pub mod provider;
