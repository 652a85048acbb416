//! Scratch databases: a fresh, migrated SQLite file or PostgreSQL database, removed when
//! done. Tests use one each, so they run in parallel without seeing each other's data;
//! `dignity assure` and `dignity bench` use them too, to attack and time a real database
//! without touching the installation's own. That is why this is product code, not a
//! test-only helper: nothing in it is used only by tests except the macro below.
//!
//! The PostgreSQL server is taken from `DIGNITY_TEST_POSTGRES_URL` (default: the local
//! server with trust authentication). Test databases are named `dignity_t_*`; the test
//! script drops any left behind by a test that panicked.

use crate::{Backend, Db, DbOptions, StoreError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "dignity_t_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn admin_url() -> String {
    std::env::var("DIGNITY_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Runs each named async test body once on SQLite and once on PostgreSQL, each on a
/// fresh database, as a test module per body with a `sqlite` and a `postgres` test.
/// `on_both_backends!(run; a, b)` calls `run(backend, a)`; with one argument,
/// `on_both_backends!(run [x]; a, b)` calls `run(backend, x, a)`. `run` is given by path
/// from the crate root, since the tests live one module further down. The store's and the
/// pages' tests both use this one macro, each with its own `run`.
#[macro_export]
macro_rules! on_both_backends {
    ($run:path; $($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> Result<(), Box<dyn std::error::Error>> {
                $run($crate::Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> Result<(), Box<dyn std::error::Error>> {
                $run($crate::Backend::Postgres, super::$name).await
            }
        })+
    };
    ($run:path [$arg:expr]; $($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> Result<(), Box<dyn std::error::Error>> {
                $run($crate::Backend::Sqlite, $arg, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> Result<(), Box<dyn std::error::Error>> {
                $run($crate::Backend::Postgres, $arg, super::$name).await
            }
        })+
    };
}

/// A migrated, empty test database. Call [`ScratchDb::finish`] at the end of a test to remove it.
pub struct ScratchDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database(String),
}

impl ScratchDb {
    pub async fn new(backend: Backend) -> Result<ScratchDb, StoreError> {
        ScratchDb::create(backend, true).await
    }

    /// A database with no tables at all, to restore a dump into.
    pub async fn empty(backend: Backend) -> Result<ScratchDb, StoreError> {
        ScratchDb::create(backend, false).await
    }

    async fn create(backend: Backend, migrate: bool) -> Result<ScratchDb, StoreError> {
        let name = unique_name();
        let options = DbOptions {
            max_connections: 5,
            ..DbOptions::default()
        };
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let admin = Db::connect(&admin_url(), &DbOptions { max_connections: 1, ..options.clone() })
                    .await
                    .map_err(|e| {
                        StoreError::Corrupt(format!(
                            "tests need PostgreSQL at {} ({e}); start it with \
                             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`",
                            crate::redact_url(&admin_url())
                        ))
                    })?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await?;
                admin.close().await;
                let base = admin_url();
                let url = match base.rsplit_once('/') {
                    Some((server, _)) => format!("{server}/{name}"),
                    None => format!("{base}/{name}"),
                };
                (url, Cleanup::Database(name))
            }
        };
        let db = if migrate {
            Db::connect_and_migrate(&url, &options).await?
        } else {
            Db::connect(&url, &options).await?
        };
        Ok(ScratchDb { db, url, cleanup })
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database(name) => {
                if let Ok(admin) = Db::connect(&admin_url(), &DbOptions::default()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(admin.pool())
                        .await;
                    admin.close().await;
                }
            }
        }
    }
}
