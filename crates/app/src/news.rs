//! news use-cases (issue 14: being moved here from the pages).
