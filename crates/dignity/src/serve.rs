//! Running the server: logging, the listener, housekeeping and graceful shutdown.

use anyhow::Context;
use dignity::config::{Config, LogFormat};
use dignity_app::Db;
use dignity_web::{AppState, build_app};
use std::net::SocketAddr;
use std::time::Duration;

pub fn init_logging(config: &Config) {
    let filter = config.log_level.filter();
    // Colours only for a person at a terminal: escape codes spoil files and log collectors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub async fn serve(config: &Config, db: Db) -> anyhow::Result<()> {
    let settings = config.web_settings()?;
    let assets = settings
        .web_dir
        .join("node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css");
    if !assets.exists() {
        tracing::warn!(
            path = %assets.display(),
            "the NHS design system files are missing, so pages will look plain; run `npm ci` in web/"
        );
    }
    let added = crate::starter::seed_if_empty(&db, dignity_app::Clock::system()).await?;
    if added > 0 {
        tracing::info!(
            resources = added,
            "the library starts with the starter catalogue"
        );
    }
    let state = AppState::new(db.clone(), settings.clone())?;
    // Build the library's search index now, so the first search is quick.
    dignity_app::library::search::warm_up(&state.app)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let anonymous_failures = tokio::spawn(report_anonymous_failures(state.clone()));
    let (app, _routes) = build_app(state.clone());
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("could not listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = %config.database_url, "Dignity is running");
    println!("Dignity is running at {}", settings.public_url);

    let housekeeping = tokio::spawn(housekeeping(state.app.clone(), settings.public_url.clone()));
    let key_sweeper = tokio::spawn(dignity_app::identity::forget_ended_sessions_every_minute(
        state.app.clone(),
    ));
    let mail_worker = match &settings.mail {
        Some(mail) => {
            let mailer = dignity_web::mail::Mailer::new(mail).map_err(anyhow::Error::msg)?;
            Some(tokio::spawn(dignity_web::mail::run_worker(
                state.app.clone(),
                mailer,
                settings.public_url.clone(),
            )))
        }
        None => None,
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped with an error")?;
    housekeeping.abort();
    key_sweeper.abort();
    anonymous_failures.abort();
    if let Some(worker) = mail_worker {
        worker.abort();
    }
    db.close().await;
    tracing::info!("Dignity has stopped");
    Ok(())
}

/// Removes ended sessions and old sign-in failures, ends the access of leavers whose day has
/// come, writes due survey answers, settles closed challenges' figures and issues the
/// quarter's board packs when due, every ten minutes.
async fn housekeeping(app: dignity_app::Context, public_url: String) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = dignity_app::identity::purge_ended(&app).await {
            tracing::warn!(cause = %e, "could not remove ended sessions and old sign-in failures");
        }
        // Leavers whose leaving day has come lose their roles and sessions that day.
        if let Err(e) = dignity_app::identity::leavers::end_due(&app).await {
            tracing::warn!(cause = %e, "could not end the access of today's leavers");
        }
        // Closed campaigns' last waiting survey answers are written even if nobody looks.
        if let Err(e) = dignity_app::survey::pending::flush_all(&app, app.clock.today()).await {
            tracing::warn!(cause = %e, "could not write waiting survey answers");
        }
        // Closed staff voice challenges' final figures, settled soon after the close.
        if let Err(e) = dignity_app::voice::figures::settle_closed(&app).await {
            tracing::warn!(cause = %e, "could not settle closed challenges' figures");
        }
        // On a quarter's first working day, every board gets the last quarter's pack.
        match dignity_app::board::pack::issue_due(&app, &public_url).await {
            Ok(0) => {}
            Ok(issued) => tracing::info!(issued, "issued the quarter's board packs"),
            Err(e) => tracing::warn!(cause = %e, "could not issue the quarter's board packs"),
        }
    }
}

/// Failures on the anonymous pages are never logged as they happen (a line's time would
/// date someone's visit): once an hour, how many there were.
async fn report_anonymous_failures(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let failed = state.take_anonymous_failures();
        if failed > 0 {
            tracing::warn!(
                failed,
                "requests to anonymous pages failed in the last hour; their causes are not logged"
            );
        }
    }
}

/// Finishes requests in flight, then stops, on Ctrl+C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing requests in flight");
}
