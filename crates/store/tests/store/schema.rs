//! The two migration folders must build the same schema: the same tables, the same
//! columns with the same kind of type and nullability, the same primary keys, the same
//! indexes (by columns and uniqueness), the same foreign keys, triggers that fire at the
//! same moments, and the same number of check constraints on each table. Read from the live databases after migrating, so
//! a migration written for one backend and forgotten for the other fails here.

use dignity_store::scratch::ScratchDb;
use dignity_store::{Backend, Db};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    name: String,
    /// integer, text, bytes, real or boolean: how each backend spells them differs.
    kind: String,
    not_null: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeSet<Column>,
    primary_key: BTreeSet<String>,
    /// Each index as its columns in order and whether it is unique.
    indexes: BTreeSet<(Vec<String>, bool)>,
    /// Each foreign key as (column, table it refers to, column there).
    foreign_keys: BTreeSet<(String, String, String)>,
    /// Each trigger as when it fires and on what (BEFORE DELETE, say): one trigger may
    /// cover two events on one backend and need two on the other.
    triggers: BTreeSet<String>,
    /// How many CHECK constraints the table has (their wording differs between the two).
    checks: usize,
}

type Schema = BTreeMap<String, Table>;

fn kind(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let family = if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else if t.contains("bool") {
        "boolean"
    } else {
        return t;
    };
    family.to_owned()
}

async fn sqlite_schema(db: &Db) -> Result<Schema, Box<dyn std::error::Error>> {
    let mut schema = Schema::new();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%'",
    )
    .fetch_all(db.pool())
    .await?;
    for row in tables {
        let name: String = row.try_get("name")?;
        let mut table = Table::default();
        let columns = sqlx::query(&format!(
            "SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info('{name}')"
        ))
        .fetch_all(db.pool())
        .await?;
        for c in columns {
            let column: String = c.try_get("name")?;
            let pk: i64 = c.try_get("pk")?;
            let not_null: i64 = c.try_get("not_null")?;
            if pk > 0 {
                table.primary_key.insert(column.clone());
            }
            table.columns.insert(Column {
                name: column,
                kind: kind(&c.try_get::<String, _>("type")?),
                // A primary key column is never null, whether or not SQLite says so.
                not_null: not_null != 0 || pk > 0,
            });
        }
        let indexes = sqlx::query(&format!(
            "SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list('{name}')"
        ))
        .fetch_all(db.pool())
        .await?;
        for i in indexes {
            let origin: String = i.try_get("origin")?;
            if origin == "pk" {
                continue;
            }
            let index: String = i.try_get("name")?;
            let unique: i64 = i.try_get("is_unique")?;
            let columns = sqlx::query(&format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            ))
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("name"))
            .collect::<Result<Vec<_>, _>>()?;
            table.indexes.insert((columns, unique != 0));
        }
        for f in sqlx::query(&format!(
            "SELECT \"from\" AS from_column, \"table\" AS to_table, \"to\" AS to_column \
             FROM pragma_foreign_key_list('{name}')"
        ))
        .fetch_all(db.pool())
        .await?
        {
            let to_table: String = f.try_get("to_table")?;
            // A reference without a column names the other table's primary key.
            let to_column: Option<String> = f.try_get("to_column")?;
            table.foreign_keys.insert((
                f.try_get("from_column")?,
                to_table,
                to_column.unwrap_or_else(|| "id".into()),
            ));
        }
        for t in
            sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1")
                .bind(&name)
                .fetch_all(db.pool())
                .await?
        {
            let sql: String = t.try_get("sql")?;
            let words: Vec<String> = sql
                .split_whitespace()
                .map(str::to_ascii_uppercase)
                .collect();
            for pair in words.windows(2) {
                if ["BEFORE", "AFTER"].contains(&pair[0].as_str())
                    && ["INSERT", "UPDATE", "DELETE"].contains(&pair[1].as_str())
                {
                    table.triggers.insert(format!("{} {}", pair[0], pair[1]));
                }
            }
        }
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
            .bind(&name)
            .fetch_one(db.pool())
            .await?;
        // A constraint, not a column whose name begins "check".
        table.checks = sql
            .to_ascii_uppercase()
            .split("CHECK")
            .skip(1)
            .filter(|rest| rest.trim_start().starts_with('('))
            .count();
        schema.insert(name, table);
    }
    Ok(schema)
}

async fn postgres_schema(db: &Db) -> Result<Schema, Box<dyn std::error::Error>> {
    let mut schema = Schema::new();
    let columns = sqlx::query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS data_type, c.is_nullable::text AS is_nullable \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name NOT LIKE '\\_sqlx\\_%'",
    )
    .fetch_all(db.pool())
    .await?;
    for c in columns {
        let table: String = c.try_get("table_name")?;
        let is_nullable: String = c.try_get("is_nullable")?;
        schema.entry(table).or_default().columns.insert(Column {
            name: c.try_get("column_name")?,
            kind: kind(&c.try_get::<String, _>("data_type")?),
            not_null: is_nullable == "NO",
        });
    }
    let indexes = sqlx::query(
        "SELECT t.relname::text AS table_name, i.indisunique AS is_unique, \
                i.indisprimary AS is_primary, \
                string_agg(a.attname::text, ',' ORDER BY array_position(i.indkey::int2[], a.attnum)) \
                  AS columns \
         FROM pg_index i \
         JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_class ix ON ix.oid = i.indexrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) \
         WHERE n.nspname = current_schema() AND t.relname NOT LIKE '\\_sqlx\\_%' \
         GROUP BY t.relname, ix.relname, i.indisunique, i.indisprimary",
    )
    .fetch_all(db.pool())
    .await?;
    for i in indexes {
        let table: String = i.try_get("table_name")?;
        let columns: String = i.try_get("columns")?;
        let columns: Vec<String> = columns.split(',').map(str::to_owned).collect();
        let entry = schema.entry(table).or_default();
        if i.try_get::<bool, _>("is_primary")? {
            entry.primary_key.extend(columns);
        } else {
            entry
                .indexes
                .insert((columns, i.try_get::<bool, _>("is_unique")?));
        }
    }
    let foreign_keys = sqlx::query(
        "SELECT t.relname::text AS table_name, a.attname::text AS from_column, \
                r.relname::text AS to_table, ra.attname::text AS to_column \
         FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_class r ON r.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(db.pool())
    .await?;
    for f in foreign_keys {
        let table: String = f.try_get("table_name")?;
        schema.entry(table).or_default().foreign_keys.insert((
            f.try_get("from_column")?,
            f.try_get("to_table")?,
            f.try_get("to_column")?,
        ));
    }
    let triggers = sqlx::query(
        "SELECT DISTINCT event_object_table::text AS table_name, \
                action_timing || ' ' || event_manipulation AS name \
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(db.pool())
    .await?;
    for t in triggers {
        let table: String = t.try_get("table_name")?;
        schema
            .entry(table)
            .or_default()
            .triggers
            .insert(t.try_get("name")?);
    }
    let checks = sqlx::query(
        "SELECT t.relname::text AS table_name, COUNT(*) AS checks FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE c.contype = 'c' AND n.nspname = current_schema() \
         GROUP BY t.relname",
    )
    .fetch_all(db.pool())
    .await?;
    for c in checks {
        let table: String = c.try_get("table_name")?;
        let count: i64 = c.try_get("checks")?;
        schema.entry(table).or_default().checks = usize::try_from(count)?;
    }
    Ok(schema)
}

/// Notes each thing of one kind that only one backend's table has.
fn only_one_has<T: Ord + std::fmt::Debug>(
    differences: &mut Vec<String>,
    table: &str,
    what: &str,
    sqlite: &BTreeSet<T>,
    postgres: &BTreeSet<T>,
) {
    for thing in sqlite.symmetric_difference(postgres) {
        let side = if sqlite.contains(thing) {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        differences.push(format!("{table}: only {side} has {what} {thing:?}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_build_the_same_schema() -> Result<(), Box<dyn std::error::Error>> {
    let sqlite = ScratchDb::new(Backend::Sqlite).await?;
    let postgres = ScratchDb::new(Backend::Postgres).await?;
    let schemas = async {
        Ok::<_, Box<dyn std::error::Error>>((
            sqlite_schema(&sqlite.db).await?,
            postgres_schema(&postgres.db).await?,
        ))
    }
    .await;
    sqlite.finish().await;
    postgres.finish().await;
    let (lite, pg) = schemas?;
    assert!(lite.len() > 20, "SQLite has only {} tables", lite.len());
    // Each part was read, so its comparison means something.
    for schema in [&lite, &pg] {
        let audit = schema.get("audit_log").ok_or("no audit log")?;
        assert!(
            audit.triggers.contains("BEFORE DELETE"),
            "{:?}",
            audit.triggers
        );
        assert_eq!(schema.get("audit_head").map(|t| t.checks), Some(1));
        let pending = schema.get("survey_pending").ok_or("no survey_pending")?;
        assert!(pending.foreign_keys.contains(&(
            "campaign_id".into(),
            "survey_campaigns".into(),
            "id".into()
        )));
    }
    let mut differences = Vec::new();
    let names: BTreeSet<&String> = lite.keys().chain(pg.keys()).collect();
    for name in names {
        match (lite.get(name), pg.get(name)) {
            (Some(a), Some(b)) => {
                only_one_has(&mut differences, name, "column", &a.columns, &b.columns);
                if a.primary_key != b.primary_key {
                    differences.push(format!(
                        "{name}: primary key {:?} in SQLite, {:?} in PostgreSQL",
                        a.primary_key, b.primary_key
                    ));
                }
                only_one_has(&mut differences, name, "index", &a.indexes, &b.indexes);
                only_one_has(
                    &mut differences,
                    name,
                    "foreign key",
                    &a.foreign_keys,
                    &b.foreign_keys,
                );
                only_one_has(&mut differences, name, "trigger", &a.triggers, &b.triggers);
                if a.checks != b.checks {
                    differences.push(format!(
                        "{name}: {} check constraints in SQLite, {} in PostgreSQL",
                        a.checks, b.checks
                    ));
                }
            }
            (Some(_), None) => differences.push(format!("{name}: only in SQLite")),
            (None, _) => differences.push(format!("{name}: only in PostgreSQL")),
        }
    }
    assert!(
        differences.is_empty(),
        "the two migration folders differ:\n{}",
        differences.join("\n")
    );
    Ok(())
}
