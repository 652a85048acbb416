//! A consistent copy of a live SQLite database.

use anyhow::{Context, bail};
use dignity::config::Config;
use dignity_app::Db;
use dignity_app::data::{self, Backend, DbOptions};
use std::path::Path;

/// Uses SQLite's `VACUUM INTO`, which reads one consistent snapshot while the server keeps
/// running, then opens the copy and checks its integrity.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let url = config.database_url.expose();
    if Backend::from_url(url)? != Backend::Sqlite {
        bail!(
            "backup copies SQLite databases. For PostgreSQL use pg_dump or your usual backup tooling (see docs/operations.md)"
        );
    }
    if to.exists() {
        bail!(
            "{} already exists. Choose a new file name so no backup is overwritten",
            to.display()
        );
    }
    let target = to.to_str().context("the backup path must be plain text")?;
    let db = Db::connect(
        url,
        &DbOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await?;
    data::copy_sqlite(&db, target)
        .await
        .context("the copy failed")?;
    db.close().await;

    let copy = Db::connect(
        &format!("sqlite://{target}"),
        &DbOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await?;
    let check = data::integrity_check(&copy).await?;
    copy.close().await;
    if check != "ok" {
        bail!(
            "the copy at {} failed its integrity check: {}",
            to.display(),
            check
        );
    }
    println!(
        "Backed up {} to {} and checked it.",
        config.database_url,
        to.display()
    );
    Ok(())
}
