#!/usr/bin/env python3
"""Runs the survey engine's query set in Dignity, DuckDB and Polars on the same synthetic
data, checks that every answer is identical, and prints the time ratios from the same run.

    pip install duckdb polars
    cargo build --release -p dignity
    python3 scripts/compare-engines.py --respondents 1500000 --orgs 260

Dignity's times come from `dignity bench survey --answers`, which also writes every answer.
Load times are reported separately from query times. All three use every core.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BREAKDOWNS = [None, "staff_group", "ethnicity", "disability", "year", "org_unit"]


def timed(fn, repeat=1):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def dignity_run(args, csv_path, answers_path):
    subprocess.run([args.dignity, "synth", "--respondents", str(args.respondents), "--orgs", str(args.orgs), "--out", csv_path], check=True)
    subprocess.run([args.dignity, "bench", "survey", "--from-csv", csv_path, "--orgs", str(args.orgs), "--answers", answers_path], check=True)
    with open(answers_path) as f:
        return json.load(f)


def org_counts_expected(answers):
    expected = {}
    for by, block in zip(BREAKDOWNS, answers["org_report"]):
        expected[by] = {(g, item, code): n for g, item, code, n in block["counts"]}
    return expected


def check(name, got, want):
    if got != want:
        missing = [k for k in want if got.get(k) != want[k]][:5] if isinstance(want, dict) else []
        sys.exit(f"{name}: answers differ from Dignity's (first differences: {missing})")


def run_duckdb(csv_path, answers):
    import duckdb

    con = duckdb.connect()
    load_ms, _ = timed(lambda: con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', header = true)"))
    items = [i["key"] for i in answers["items"]]
    org = answers["org"]

    def org_report():
        out = {}
        for by in BREAKDOWNS:
            group = by or "0"
            rows = con.execute(
                f"SELECT g, name, value, count(*) FROM (UNPIVOT (SELECT {group} AS g, {', '.join(items)} FROM t WHERE organisation = {org}) "
                f"ON {', '.join(items)} INTO NAME name VALUE value) GROUP BY ALL"
            ).fetchall()
            out[by] = {(int(g), name, int(code), int(n)) for g, name, code, n in rows}
        return out

    def national():
        aggregates = []
        for item in answers["items"]:
            q, pos = item["key"], item["positive"] or [-1]
            aggregates.append(f"count(*) FILTER (WHERE {q} <> 0)")
            aggregates.append(f"count(*) FILTER (WHERE {q} IN ({', '.join(map(str, pos))}))")
        return con.execute(f"SELECT organisation, {', '.join(aggregates)} FROM t GROUP BY organisation").fetchall()

    def crosstab(query, positive):
        where = " AND ".join(f"{d} = {v}" for d, v in query["filter"])
        q = query["item"]
        pos = ", ".join(map(str, positive.get(q) or [-1]))
        return con.execute(
            f"SELECT {query['by']}, count(*) FILTER (WHERE {q} <> 0) AS a, count(*) FILTER (WHERE {q} IN ({pos})) FROM t WHERE {where} GROUP BY 1 HAVING a > 0"
        ).fetchall()

    return load_ms, org_report, national, crosstab


def run_polars(csv_path, answers):
    import polars as pl

    load_ms, df = timed(lambda: pl.read_csv(csv_path))
    items = [i["key"] for i in answers["items"]]
    org = answers["org"]

    def org_report():
        out = {}
        mine = df.filter(pl.col("organisation") == org)
        for by in BREAKDOWNS:
            frame = mine.select([pl.col(by).alias("g") if by else pl.lit(0).alias("g")] + items)
            long = frame.unpivot(index="g").group_by(["g", "variable", "value"]).len()
            out[by] = {(int(g), v, int(c), int(n)) for g, v, c, n in long.iter_rows()}
        return out

    def national():
        aggregates = []
        for item in answers["items"]:
            q, pos = item["key"], item["positive"]
            aggregates.append((pl.col(q) != 0).sum().alias(q + "_a"))
            aggregates.append(pl.col(q).is_in(pos).sum().alias(q + "_p"))
        return df.group_by("organisation").agg(aggregates).rows()

    def crosstab(query, positive):
        condition = pl.lit(True)
        for d, v in query["filter"]:
            condition = condition & (pl.col(d) == v)
        q = query["item"]
        result = (
            df.filter(condition)
            .group_by(query["by"])
            .agg([(pl.col(q) != 0).sum().alias("a"), pl.col(q).is_in(positive.get(q) or []).sum().alias("p")])
            .filter(pl.col("a") > 0)
        )
        return result.rows()

    return load_ms, org_report, national, crosstab


def compare(name, engine, answers):
    load_ms, org_report, national, crosstab = engine
    expected_org = org_counts_expected(answers)
    org_ms, got = timed(org_report, repeat=5)
    for by in BREAKDOWNS:
        check(f"{name} organisation report by {by}", {(g, i, c): n for g, i, c, n in got[by]}, expected_org[by])

    national_ms, rows = timed(national, repeat=3)
    items = [i["key"] for i in answers["items"]]
    got_national = {}
    for row in rows:
        org = int(row[0])
        for j, item in enumerate(items):
            got_national[(org, item)] = (int(row[1 + 2 * j]), int(row[2 + 2 * j]))
    want_national = {(g, item): (a, p) for g, item, a, p in answers["national"]}
    check(f"{name} national benchmark", got_national, want_national)

    positive = {i["key"]: i["positive"] for i in answers["items"]}
    times = []
    for query in answers["crosstabs"]:
        took, rows = timed(lambda: crosstab(query, positive))
        times.append(took)
        got = {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
        want = {g: (a, p) for g, a, p in query["groups"]}
        check(f"{name} crosstab {query}", got, want)
    times.sort()
    p50 = times[len(times) // 2]
    p95 = times[min(len(times) - 1, round((len(times) - 1) * 0.95))]
    return {"load": load_ms, "org_report": org_ms, "national": national_ms, "crosstab_p50": p50, "crosstab_p95": p95}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=1_500_000)
    parser.add_argument("--orgs", type=int, default=260)
    parser.add_argument("--dignity", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "dignity"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        csv_path, answers_path = os.path.join(work, "survey.csv"), os.path.join(work, "answers.json")
        answers = dignity_run(args, csv_path, answers_path)
        ours = answers["timings_ms"]
        results = {"Dignity": {"load": ours["ingest"], **{k: ours[k] for k in ("org_report", "national", "crosstab_p50", "crosstab_p95")}}}
        results["DuckDB " + __import__("duckdb").__version__] = compare("DuckDB", run_duckdb(csv_path, answers), answers)
        results["Polars " + __import__("polars").__version__] = compare("Polars", run_polars(csv_path, answers), answers)
    print()
    print(f"All answers identical across engines ({args.respondents} respondents, {args.orgs} organisations, {len(answers['crosstabs'])} crosstabs).")
    print(f"{'engine':<16} {'load ms':>10} {'org report':>11} {'national':>10} {'xtab p50':>9} {'xtab p95':>9}")
    for name, r in results.items():
        print(f"{name:<16} {r['load']:>10.0f} {r['org_report']:>11.1f} {r['national']:>10.1f} {r['crosstab_p50']:>9.1f} {r['crosstab_p95']:>9.1f}")
    base = results["Dignity"]
    for name, r in results.items():
        if name == "Dignity":
            continue
        ratios = ", ".join(f"{k} {r[k] / base[k]:.1f}x" for k in ("org_report", "national", "crosstab_p50", "crosstab_p95") if base[k] > 0)
        print(f"{name}: time relative to Dignity (above 1 means Dignity is faster): {ratios}")


if __name__ == "__main__":
    main()
