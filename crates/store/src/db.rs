use crate::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor, Transaction};
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(format!(
                "'{}' must start with sqlite: or postgres:",
                redact_url(url)
            )))
        }
    }
}

/// Hides a password in a database URL so it can be logged or shown.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("********"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long SQLite waits for another writer before giving up.
    pub busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A pool of connections to one database, and which kind it is.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

impl Db {
    /// Connects without touching the schema. A SQLite file is created if it does not exist.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        install_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        // No statement is ever logged, not even slow ones at debug level: on SQLite they are
        // logged from the driver's own thread, outside the request that asked, so the quiet
        // anonymous routes would otherwise leave "INSERT INTO cases" to the microsecond.
        let connect_options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::UnsupportedUrl(format!("{}: {e}", redact_url(&url))))?
            .disable_statement_logging();
        let busy_ms = options.busy_timeout.as_millis();
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            // A SQLite connection is a file on this machine, so testing it before use finds
            // nothing broken. The test is a round trip to the connection's own thread, as
            // costly as most queries, and it doubled a page's thread wake-ups. A PostgreSQL
            // connection can die with its server or the network, so it is still tested.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets pages be read while a write is in progress. FULL makes a
                        // commit durable before we tell a person their submission is saved.
                        // secure_delete zeroes deleted rows (used codes, drafts, sent mail)
                        // instead of leaving them readable in free space. mmap lets each
                        // connection read pages from the shared page cache instead of
                        // copying them in with a system call each (after every write the
                        // connections' own caches start again).
                        conn.execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA secure_delete = ON; PRAGMA mmap_size = 268435456; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms};"
                            )
                            .as_str(),
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await
            .map_err(StoreError::Unavailable)?;
        Ok(Db { pool, backend })
    }

    /// Connects and brings the schema up to date.
    pub async fn connect_and_migrate(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        let db = Db::connect(url, options).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Applies only the migrations numbered below `version`, so a test can put rows in an
    /// older schema and check what a later migration does with them.
    pub async fn migrate_below(&self, version: i64) -> Result<(), StoreError> {
        let all = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let older = sqlx::migrate::Migrator {
            migrations: all
                .iter()
                .filter(|m| m.version < version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        older.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::Unavailable)?;
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at the start
    /// (`BEGIN IMMEDIATE`), so that a read-then-write cannot fail half way when another
    /// writer got in first; PostgreSQL needs no such step.
    pub async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// What a read inside [`Db::begin_write`] adds to lock the rows it reads until the
    /// transaction ends, so a read-then-write cannot interleave with another: PostgreSQL
    /// needs `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already holds the whole database.
    pub fn lock_rows(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// On SQLite, copies the write-ahead log into the database file and empties it, so
    /// recent transactions (which show what was written together) do not stay readable in
    /// the log. Best effort and never waiting: while someone is still reading from the log
    /// (a long backup, say) it copies what it can and leaves the rest for next time. A
    /// checkpoint that waited would hold the write lock meanwhile and make every other
    /// write on the server time out. PostgreSQL manages its own.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.pool.acquire().await?;
            // Closed afterwards, never handed back: a connection left with no busy timeout
            // would give up on every busy moment, and putting the timeout back cannot be
            // relied on when the caller stops waiting part way (an outside review).
            conn.close_on_drop();
            sqlx::query("PRAGMA busy_timeout = 0")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
