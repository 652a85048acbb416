#!/usr/bin/env python3
"""Times the survey engine at 0.1, 0.5, 1.5 and 5 million respondents with
`dignity bench survey`, prints a Markdown table and draws docs/img/survey-scaling.svg.

    cargo build --release -p dignity
    python3 scripts/survey-scaling.py [--dignity target/release/dignity]

Each figure is the median of 7 runs, as `dignity bench survey` prints it.
"""
import argparse
import os
import re
import subprocess

SIZES = [100_000, 500_000, 1_500_000, 5_000_000]
QUERIES = [
    ("plain scan of every answer byte", "plain scan", "#768692"),
    ("largest organisation's counts, engine only", "largest organisation's report", "#005eb8"),
    ("national, every organisation", "national, every organisation", "#007f3b"),
    ("national, with benchmark groups", "national, with benchmark groups", "#330072"),
]


def run(dignity, n):
    out = subprocess.run([dignity, "bench", "survey", "--respondents", str(n), "--orgs", "260"],
                         check=True, capture_output=True, text=True).stdout
    row = {"memory": float(re.search(r"memory held by the columns\s+([\d.]+) MB", out).group(1))}
    for label, _, _ in QUERIES:
        row[label] = float(re.search(re.escape(label) + r"\s+([\d.]+) ms", out).group(1))
    m = re.search(r"crosstabs\s+([\d.]+) ms p50, ([\d.]+) ms p95", out)
    row["crosstab p95"] = float(m.group(2))
    row["load"] = re.search(r"load average before timing: (\S+)", out).group(1)
    return row


def chart(rows, path):
    w, h, left, bottom, top, right = 640, 360, 64, 48, 16, 200
    xs = [n / 1e6 for n in SIZES]
    ymax = max(r[q[0]] for r in rows for q in QUERIES) * 1.1
    x = lambda v: left + v / xs[-1] * (w - left - right)
    y = lambda v: top + (1 - v / ymax) * (h - top - bottom)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="t d">',
             '<title id="t">Survey engine time against respondents</title>',
             '<desc id="d">Milliseconds for each query at 0.1, 0.5, 1.5 and 5 million respondents. '
             'Every line grows in step with the number of respondents. The table in docs/benchmarks.md gives the figures.</desc>',
             f'<rect x="{left}" y="{top}" width="{w-left-right}" height="{h-top-bottom}" fill="#fff" stroke="#768692"/>']
    for i in range(5):
        v = ymax * i / 4
        parts.append(f'<text x="{left-6}" y="{y(v):.1f}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="#212b32">{v:.0f}</text>')
    for v in xs:
        parts.append(f'<text x="{x(v):.1f}" y="{h-bottom+16}" text-anchor="middle" font-size="12" fill="#212b32">{v:g}M</text>')
    parts.append(f'<text x="{left+(w-left-right)/2}" y="{h-8}" text-anchor="middle" font-size="12" fill="#212b32">respondents (millions)</text>')
    parts.append(f'<text x="14" y="{top+(h-top-bottom)/2}" text-anchor="middle" font-size="12" fill="#212b32" transform="rotate(-90 14 {top+(h-top-bottom)/2})">milliseconds (median of 7)</text>')
    for k, (label, name, colour) in enumerate(QUERIES):
        pts = " ".join(f"{x(v):.1f},{y(r[label]):.1f}" for v, r in zip(xs, rows))
        dash = ' stroke-dasharray="6 4"' if k == 0 else ""
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        ly = top + 20 + k * 22
        parts.append(f'<line x1="{w-right+12}" x2="{w-right+36}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{w-right+42}" y="{ly}" dominant-baseline="middle" font-size="11" fill="#212b32">{name}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dignity", default="target/release/dignity")
    args = parser.parse_args()
    rows = [run(args.dignity, n) for n in SIZES]
    print("| respondents | memory (MB) | plain scan (ms) | largest organisation's report (ms) | national (ms) | national with benchmark groups (ms) | crosstab p95 (ms) | load average |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in zip(SIZES, rows):
        print(f"| {n:,} | {r['memory']:.1f} | {r[QUERIES[0][0]]:.1f} | {r[QUERIES[1][0]]:.1f} | {r[QUERIES[2][0]]:.1f} | {r[QUERIES[3][0]]:.1f} | {r['crosstab p95']:.1f} | {r['load']} |")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    chart(rows, os.path.join(root, "docs", "img", "survey-scaling.svg"))
    print("Drew docs/img/survey-scaling.svg")


if __name__ == "__main__":
    main()
