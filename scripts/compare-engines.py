#!/usr/bin/env python3
"""Runs the survey engine's query set in Dignity, DuckDB and Polars on the same synthetic
data, checks that every answer is identical, and prints each engine's times with the
ratios from the same run.

    pip install duckdb polars
    cargo build --release -p dignity
    python3 scripts/compare-engines.py --respondents 1500000 --orgs 260

Every figure is the median of --runs rounds (at least 5) with its range, fastest to
slowest. In each round the three engines take turns, Dignity, then DuckDB, then Polars,
each in a fresh process of its own: it loads the CSV (timed apart from the queries), runs
the organisation report and the national query 7 times each and keeps the median, as
`dignity bench` does, and runs each crosstab once, giving the round's p50 and p95. Taking
turns means a machine busy for a while slows every engine rather than one. The machine's
load average is printed before and after each engine's turn.

Dignity's times come from `dignity bench survey --answers`, run once a round on the same
CSV, and every run must give the same answers. DuckDB and Polars are asked as their own
documentation recommends, each query with a comment naming the page it follows: narrow
unsigned column types declared when the CSV is read, data held in memory, grouped
aggregations, Polars through its lazy API on the streaming engine. All three use every
core; the script prints the thread counts and the versions. It stops at the first answer
that differs from Dignity's.
"""
import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time

BREAKDOWNS = [None, "staff_group", "ethnicity", "disability", "year", "org_unit"]
FIGURES = ["load", "org_report", "national", "crosstab_p50", "crosstab_p95"]
HEADINGS = {
    "load": "load",
    "org_report": "org report",
    "national": "national",
    "crosstab_p50": "crosstab p50",
    "crosstab_p95": "crosstab p95",
}


def percentile(sorted_times, p):
    # Picked as `dignity bench` picks it (nearest rank, halves rounded up), so that p50 and
    # p95 mean the same for every engine.
    return sorted_times[math.floor((len(sorted_times) - 1) * p + 0.5)]


def load_average():
    return os.getloadavg()[0]


def timed(work):
    """The time `work` takes in ms, and what it returns."""
    start = time.perf_counter()
    result = work()
    return (time.perf_counter() - start) * 1000, result


def check(name, got, want):
    if got != want:
        missing = [k for k in want if got.get(k) != want[k]][:5] if isinstance(want, dict) else []
        extra = [k for k in got if k not in want][:5] if isinstance(got, dict) else []
        sys.exit(f"{name}: answers differ from Dignity's (first differences: {missing}, unexpected: {extra})")


def without_times(answers):
    """The answers of one `dignity bench` run, without its timings, to compare runs."""
    kept = {k: v for k, v in answers.items() if k != "timings_ms"}
    kept["crosstabs"] = [{k: v for k, v in c.items() if k != "ms"} for c in answers["crosstabs"]]
    return kept


def dignity_round(args, csv_path, answers_path):
    bench = subprocess.run(
        [args.dignity, "bench", "survey", "--from-csv", csv_path, "--orgs", str(args.orgs), "--answers", answers_path],
        capture_output=True,
        text=True,
    )
    if bench.returncode != 0:
        sys.exit(f"dignity bench survey failed:\n{bench.stdout}{bench.stderr}")
    with open(answers_path) as f:
        answers = json.load(f)
    timings = answers["timings_ms"]
    return answers, {"load": timings["ingest"], **{f: timings[f] for f in FIGURES[1:]}}


def columns_of(csv_path, answers):
    """The CSV's columns in order, each with whether it is an answer (codes 0 to 11) or a
    grouping value (up to the number of org units, a few thousand)."""
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
    items = {i["key"] for i in answers["items"]}
    return [(name, name in items) for name in header]


def duckdb_engine(csv_path, answers):
    import duckdb

    # One connection for every query: DuckDB's "Tuning Workloads" page (connections).
    # Threads are left at DuckDB's default, which is every core.
    con = duckdb.connect()
    items = [i["key"] for i in answers["items"]]
    positive = {i["key"]: i["positive"] for i in answers["items"]}
    org = answers["org"]

    # Load: "Performance Guide: Schema" (use the most restrictive type for each column) and
    # "CSV Import" (read_csv given every column's type and the dialect, so the sniffer does
    # not run and nothing is widened to BIGINT). Answers are 0 to 11, so UTINYINT;
    # groupings run to a few thousand, so USMALLINT.
    columns = ", ".join(f"'{name}': '{'UTINYINT' if is_item else 'USMALLINT'}'" for name, is_item in columns_of(csv_path, answers))
    load_query = f"CREATE OR REPLACE TABLE t AS FROM read_csv('{csv_path}', auto_detect = false, header = true, delim = ',', columns = {{{columns}}})"

    def load():
        con.execute(load_query)

    # Organisation report: "UNPIVOT Statement" (turn the 100 answer columns into rows) and
    # "GROUP BY Clause" (GROUP BY ALL), one query per breakdown. Measured here against it:
    # histogram() of each question, about ten times slower; a UNION ALL of 600 small
    # GROUP BYs, three times slower; GROUPING SETS over one unpivot, no faster. The largest
    # organisation's rows sit in one row group, so its unpivot and count run on one thread
    # ("Tuning Workloads: Parallelism").
    listed = ", ".join(items)
    org_queries = [
        f"SELECT g, name, value, count(*) FROM (UNPIVOT (SELECT {by or '0'} AS g, {listed} FROM t WHERE organisation = {org}) "
        f"ON {listed} INTO NAME name VALUE value) GROUP BY ALL"
        for by in BREAKDOWNS
    ]

    def org_report():
        return {by: con.execute(sql).fetchall() for by, sql in zip(BREAKDOWNS, org_queries)}

    # National: "Aggregate Functions" (count_if) over the narrow columns, in one GROUP BY.
    # Measured here, count(*) FILTER (WHERE ...) took about fifteen times as long for the
    # same 200 counts; sum((condition)::INT) was a little slower than count_if.
    aggregates = []
    for q in items:
        codes = ", ".join(map(str, positive[q] or [-1]))
        aggregates += [f"count_if({q} <> 0)", f"count_if({q} IN ({codes}))"]
    national_query = f"SELECT organisation, {', '.join(aggregates)} FROM t GROUP BY organisation"

    def national():
        return con.execute(national_query).fetchall()

    # Crosstabs: "GROUP BY Clause" over the grouping and the answer code, under a WHERE
    # that the narrow types and zone maps make cheap ("Performance Guide: Schema"); the
    # few code counts are folded into answered and positive. Measured here against
    # count_if and sum((condition)::INT) in the same query, this was the fastest at p50
    # (by about a sixth) and within a few per cent at p95.
    def crosstab(query):
        q = query["item"]
        where = " AND ".join(f"{d} = {v}" for d, v in query["filter"])
        wanted = set(positive[q])
        out = {}
        for g, code, n in con.execute(f"SELECT {query['by']}, {q}, count(*) FROM t WHERE {where} AND {q} <> 0 GROUP BY ALL").fetchall():
            answered, pos = out.get(g, (0, 0))
            out[g] = (answered + n, pos + (n if code in wanted else 0))
        return out

    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return {"name": f"DuckDB {duckdb.__version__}", "threads": threads, "load": load, "prepare": lambda: None, "org_report": org_report, "national": national, "crosstab": crosstab}


def polars_engine(csv_path, answers):
    import polars as pl

    items = [i["key"] for i in answers["items"]]
    positive = {i["key"]: i["positive"] for i in answers["items"]}
    org = answers["org"]

    # Load: "Lazy API" (scan_csv rather than read_csv) with a full schema of narrow
    # unsigned types (scan_csv's schema parameter), collected once on the streaming engine
    # ("Streaming": it is also faster than the in-memory engine; slightly, here).
    # The queries then start from this frame with .lazy(), as Dignity starts from memory.
    schema = {name: (pl.UInt8 if is_item else pl.UInt16) for name, is_item in columns_of(csv_path, answers)}
    plans = {}

    def load():
        plans["frame"] = pl.scan_csv(csv_path, schema=schema).collect(engine="streaming")

    # Organisation report: "Lazy API" (filter pushed down, only the needed columns kept),
    # unpivot once, then one group_by().len() per breakdown, all handed to collect_all so
    # the shared filter and unpivot run once (collect_all in the API reference: common
    # subplan elimination), on the streaming engine ("Streaming"). Measured here: about
    # 1.4x faster than six separate unpivots on the in-memory engine, and a little faster
    # than 600 per-question group_bys.
    dims = BREAKDOWNS[1:]

    def org_plans(lf):
        long = lf.filter(pl.col("organisation") == org).select(dims + items).unpivot(index=dims, variable_name="item", value_name="code")
        return [long.group_by(*([by] if by else []), "item", "code").len() for by in BREAKDOWNS]

    def org_report():
        out = {}
        for by, df in zip(BREAKDOWNS, pl.collect_all(plans["org"], engine="streaming")):
            if by is None:
                out[by] = [(0, item, code, n) for item, code, n in df.iter_rows()]
            else:
                out[by] = list(df.iter_rows())
        return out

    # National: "Contexts" and "Aggregation" in the user guide (all 200 counts as
    # expressions in one group_by().agg(), so Polars plans and runs them together), lazily,
    # collected once on the streaming engine ("Streaming"; faster than in-memory here).
    aggregates = []
    for q in items:
        aggregates.append((pl.col(q) != 0).sum().alias(q + "_a"))
        aggregates.append(pl.col(q).is_in(positive[q]).sum().alias(q + "_p"))

    def national():
        return plans["national"].collect(engine="streaming").rows()

    # Crosstabs: "Lazy API" (the filter is pushed down before the group_by), group_by().agg()
    # with two sums, collected once on the streaming engine ("Streaming"; measured here
    # about 1.2x faster at p50 and 1.5x at p95 than the in-memory engine).
    def crosstab(query):
        q = query["item"]
        condition = pl.all_horizontal([pl.col(d) == v for d, v in query["filter"]])
        rows = (
            plans["lazy"].filter(condition)
            .group_by(query["by"])
            .agg((pl.col(q) != 0).sum().alias("a"), pl.col(q).is_in(positive[q]).sum().alias("p"))
            .filter(pl.col("a") > 0)
            .collect(engine="streaming")
            .rows()
        )
        return {int(g): (int(a), int(p)) for g, a, p in rows}

    # The query plans are built once a round, after loading and outside the timings, as
    # DuckDB's SQL text is.
    def prepare():
        plans["lazy"] = plans["frame"].lazy()
        plans["org"] = org_plans(plans["lazy"])
        plans["national"] = plans["lazy"].group_by("organisation").agg(aggregates)

    return {"name": f"Polars {pl.__version__}", "threads": pl.thread_pool_size(), "load": load, "prepare": prepare, "org_report": org_report, "national": national, "crosstab": crosstab}


class Checker:
    """Dignity's answers, in the shape each query's answer is compared in."""

    def __init__(self, answers):
        self.items = [i["key"] for i in answers["items"]]
        self.org = {}
        for by, block in zip(BREAKDOWNS, answers["org_report"]):
            self.org[by] = {(g, item, code): n for g, item, code, n in block["counts"]}
        self.national = {(g, item): (a, p) for g, item, a, p in answers["national"]}
        self.crosstabs = [(query, {g: (a, p) for g, a, p in query["groups"]}) for query in answers["crosstabs"]]

    def org_report(self, name, got):
        for by in BREAKDOWNS:
            check(f"{name} organisation report by {by}", {(int(g), i, int(c)): int(n) for g, i, c, n in got[by]}, self.org[by])

    def national_rows(self, name, rows):
        got = {}
        for row in rows:
            for j, item in enumerate(self.items):
                got[(int(row[0]), item)] = (int(row[1 + 2 * j]), int(row[2 + 2 * j]))
        check(f"{name} national", got, self.national)


# `dignity bench survey` times its organisation report and national query this many times
# in each run and reports the median (RUNS in crates/dignity/src/bench.rs); the peers do
# the same in each of their turns, so that no engine's figure is a single cold run.
REPEATS = 7


def median_of(work, check):
    times = []
    for _ in range(REPEATS):
        took, result = timed(work)
        check(result)
        times.append(took)
    return statistics.median(times)


def peer_round(engine, checker):
    """One turn of a peer: load once, the organisation report and the national query
    REPEATS times each, every crosstab once; each answer is checked after its query,
    outside the timed part."""
    name = engine["name"]
    figures = {}
    figures["load"], _ = timed(engine["load"])
    engine["prepare"]()
    figures["org_report"] = median_of(engine["org_report"], lambda got: checker.org_report(name, got))
    figures["national"] = median_of(engine["national"], lambda rows: checker.national_rows(name, rows))
    times = []
    for query, want in checker.crosstabs:
        took, got = timed(lambda: engine["crosstab"](query))
        check(f"{name} crosstab {query}", got, want)
        times.append(took)
    times.sort()
    figures["crosstab_p50"] = percentile(times, 0.5)
    figures["crosstab_p95"] = percentile(times, 0.95)
    return figures


ENGINES = {"DuckDB": duckdb_engine, "Polars": polars_engine}


def peer_process(label, csv_path, answers, pipe):
    """One turn of one peer, in a process of its own, as each of Dignity's turns is a fresh
    `dignity bench` process: no engine shares an address space, allocator or thread pool
    with another, and nothing is left over from an earlier round."""
    engine = ENGINES[label](csv_path, answers)
    pipe.send((engine["name"], engine["threads"], peer_round(engine, Checker(answers))))


def peer_turn(spawn, label, csv_path, answers, seen):
    pipe, their_end = spawn.Pipe()
    process = spawn.Process(target=peer_process, args=(label, csv_path, answers, their_end))
    process.start()
    try:
        name, threads, figures = pipe.recv()
    except EOFError:
        sys.exit(f"{label} stopped (its message is above)")
    process.join()
    seen[label] = (name, threads)
    return figures


def turn(round_number, runs, name, work):
    before = load_average()
    figures = work()
    after = load_average()
    shown = ", ".join(f"{HEADINGS[f]} {figures[f]:,.1f}" for f in FIGURES)
    print(f"round {round_number}/{runs} {name:<14} {shown} ms; load average {before:.2f} before, {after:.2f} after", flush=True)
    return figures


def cell(times):
    median = statistics.median(times)
    digits = 0 if median >= 100 else 1
    return f"{median:,.{digits}f} ({min(times):,.{digits}f}-{max(times):,.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=1_500_000)
    parser.add_argument("--orgs", type=int, default=260)
    parser.add_argument("--runs", type=int, default=5, help="rounds, at least 5 (default 5)")
    parser.add_argument("--dignity", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "dignity"), help="the dignity binary (default target/release/dignity)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5: each figure is a median with its range")
    try:
        import duckdb
        import polars
    except ImportError as missing:
        sys.exit(f"{missing.name} is not installed: pip install duckdb polars")
    print(f"DuckDB {duckdb.__version__}, Polars {polars.__version__}, {os.cpu_count()} cores; load average at the start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 minutes)")

    rounds = {"Dignity": []}
    with tempfile.TemporaryDirectory() as work:
        csv_path = os.path.join(work, "survey.csv")
        subprocess.run([args.dignity, "synth", "--respondents", str(args.respondents), "--orgs", str(args.orgs), "--out", csv_path], check=True)
        first = {}
        peers = {}
        spawn = multiprocessing.get_context("spawn")
        for n in range(1, args.runs + 1):

            def dignity():
                answers, figures = dignity_round(args, csv_path, os.path.join(work, f"answers-{n}.json"))
                if not first:
                    first["answers"] = answers
                elif without_times(answers) != without_times(first["answers"]):
                    sys.exit(f"Dignity's answers in round {n} differ from round 1's")
                return figures

            rounds["Dignity"].append(turn(n, args.runs, "Dignity", dignity))
            for label in ENGINES:
                # The peers are asked what Dignity was asked in its first turn.
                figures = turn(n, args.runs, label, lambda: peer_turn(spawn, label, csv_path, first["answers"], peers))
                rounds.setdefault(label, []).append(figures)
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 minutes)")

    answers = first["answers"]
    names = {"Dignity": "Dignity", **{label: name for label, (name, _) in peers.items()}}
    threads = {"Dignity": answers["threads"], **{names[label]: n for label, (_, n) in peers.items()}}
    results = {names[label]: {f: [r[f] for r in figures] for f in FIGURES} for label, figures in rounds.items()}
    medians = {name: {f: statistics.median(times) for f, times in figures.items()} for name, figures in results.items()}
    print()
    print(f"All answers identical across engines and rounds ({args.respondents} respondents, {args.orgs} organisations, {len(answers['crosstabs'])} crosstabs).")
    everyone = all(int(n) == os.cpu_count() for n in threads.values())
    print("Threads: " + ", ".join(f"{name} {n}" for name, n in threads.items()) + f"; this machine has {os.cpu_count()} cores, so "
          + ("every engine uses all of them." if everyone else "NOT every engine uses all of them."))
    print(f"Times in ms: median of {args.runs} rounds (fastest-slowest). Load is reading the CSV into memory.")
    width = 26
    print(f"{'engine':<16}" + "".join(f"{HEADINGS[f]:>{width}}" for f in FIGURES))
    for name, figures in results.items():
        print(f"{name:<16}" + "".join(f"{cell(figures[f]):>{width}}" for f in FIGURES))
    print()
    print("Dignity against the faster of DuckDB and Polars, by median (above 1 means Dignity is faster):")
    peer_names = [names[label] for label in peers]
    for f in FIGURES:
        ours = medians["Dignity"][f]
        best = min(peer_names, key=lambda name: medians[name][f])
        each = ", ".join(f"{name} {medians[name][f] / ours:.1f}x" for name in peer_names)
        print(f"  {HEADINGS[f]:<14} {medians[best][f] / ours:>6.1f}x  (faster peer {best}; {each})")


if __name__ == "__main__":
    main()
