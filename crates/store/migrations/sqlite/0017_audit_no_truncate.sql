-- SQLite has no TRUNCATE: `DELETE FROM audit_log` fires the row trigger from 0001 (its
-- truncate shortcut is off for tables with triggers). Kept so both folders stay in step.
SELECT 1;
