//! Staff surveys: turning stored responses into the engine's columns, sealing answers while
//! they wait for their batch, and keeping loaded results in memory.

pub mod answering;
pub mod cache;
pub mod campaigns;
pub mod compare;
pub mod load;
pub mod pending;
pub mod pledges;
pub mod results;
pub mod writer;
