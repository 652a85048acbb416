//! Dignity's rules and types. Pure: no I/O, no async, no clocks.
//!
//! Values from outside are parsed here into types that cannot hold a bad value
//! (`OdsCode`, `Email`, `Role`, ...), so the rest of the code never re-checks them.
// Production code never panics on input; tests may, to fail loudly.

// Before the modules, so that each can use it.
/// Defines an enum of fixed codes with its stored code, a plain-English label, parsing and
/// listing, so that each list of choices is written once.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in URLs and files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// What a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::identity::InvalidValue;
            fn from_str(raw: &str) -> Result<Self, $crate::identity::InvalidValue> {
                let wanted = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == wanted)
                    .ok_or_else(|| $crate::identity::InvalidValue::NotInList {
                        what: $what,
                        value: raw.trim().to_owned(),
                        allowed: $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        /// A stored code, as the store's row mapping reads it.
        impl TryFrom<String> for $name {
            type Error = $crate::identity::InvalidValue;
            fn try_from(raw: String) -> Result<Self, $crate::identity::InvalidValue> {
                raw.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub mod audit;
pub mod board;
mod csv_lines;
pub mod diagnostics;
pub mod er_cases;
pub mod identity;
pub mod justculture;
pub mod leadership;
pub mod library;
pub mod plans;
pub mod speakup;
pub mod speakup_figures;
pub mod speakup_returns;
pub mod survey;
pub mod voice;
pub mod workforce;
