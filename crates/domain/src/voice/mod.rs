//! Staff voice (issue 20): challenges set by an organisation or nationally, staff ideas
//! under them, support, comments and official answers. The rules that need no database.

pub mod screen;
