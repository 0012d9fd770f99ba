#!/usr/bin/env python3
"""Turns one run.sh results directory into the markdown table of docs/benchmarks.md (Exporter).

How our exporter's CPU is split (it collects every --interval in the background, and a scrape
only writes out the latest collection):
  per collection = CPU over the idle window / collections in it (one per interval: the window
                   length divided by the 1 s interval);
  exposition     = (CPU over the scrape window - collections in that window x per collection)
                   / scrapes;
  collect+expose = exposition + one collection: what one scrape of node_exporter does (it
                   collects on every scrape), so this is the like-for-like number for the target;
  default setup  = exposition + 3 collections: --interval 5s under a 15 s Prometheus scrape.

Since docs/api.md section 4 (values at most 1 s old) a scrape collects when the last collection
is older, so the like-for-like number is also measured directly: scrapes spaced further apart
than that ("spaced"), our exporter at --interval 10m, node_exporter as it is. Their CPU per
scrape and latency are what each exporter costs a Prometheus that scrapes it every 15 s.
"""
import json
import pathlib
import re
import statistics
import sys

INTERVAL_SECONDS = 1.0


def load(path):
    return json.loads(path.read_text())


def main():
    out = pathlib.Path(sys.argv[1])
    rounds = sorted({int(m.group(1)) for p in out.glob("*.scrape.json") if (m := re.search(r"\.(\d+)\.scrape\.json$", p.name))})
    labels = sorted({p.name.split(".")[0] for p in out.glob("*.idle.json")})
    rows = []
    verdicts = []
    for r in rounds:
        node = load(out / f"node_exporter.{r}.scrape.json")
        node_cpu_ms = node["server_cpu_seconds"] / node["scrapes"] * 1e3
        node_per_series_us = node_cpu_ms * 1e3 / node["series"]
        rows.append([f"node_exporter 1.5 (round {r})", node["series"], node["p50_ms"], node["p99_ms"], node["client_overhead_p50_ms"],
                     f"{node_cpu_ms:.3f}", "-", "-", f"{node_cpu_ms:.3f}", f"{node_per_series_us:.3f}", "-",
                     f"{node['rss_kb_after'] / 1024:.1f}", " ".join(node["loadavg"])])
        for label in labels:
            scrape_path = out / f"{label}.{r}.scrape.json"
            if not scrape_path.exists():
                continue
            scrape = load(scrape_path)
            idle = load(out / f"{label}.{r}.idle.json")
            collections_idle = int(idle["idle_wall_seconds"] // INTERVAL_SECONDS)
            per_collection_ms = idle["server_cpu_seconds"] / collections_idle * 1e3
            collections_in_scrapes = scrape["wall_seconds"] / INTERVAL_SECONDS
            raw_ms = scrape["server_cpu_seconds"] / scrape["scrapes"] * 1e3
            exposition_ms = (scrape["server_cpu_seconds"] * 1e3 - collections_in_scrapes * per_collection_ms) / scrape["scrapes"]
            like_for_like_ms = exposition_ms + per_collection_ms
            default_ms = exposition_ms + 3 * per_collection_ms
            per_series_us = like_for_like_ms * 1e3 / scrape["series"]
            rss_mib = scrape["rss_kb_after"] / 1024
            rows.append([f"{label} (round {r})", scrape["series"], scrape["p50_ms"], scrape["p99_ms"], scrape["client_overhead_p50_ms"],
                         f"{raw_ms:.3f}", f"{exposition_ms:.3f}", f"{per_collection_ms:.2f}", f"{like_for_like_ms:.3f}",
                         f"{per_series_us:.3f}", f"{default_ms:.3f}", f"{rss_mib:.1f}", " ".join(scrape["loadavg"])])
            raw_ratio = raw_ms / scrape["series"] / (node_cpu_ms / node["series"])
            verdicts.append((label, r, raw_ratio, per_series_us / node_per_series_us, scrape["p99_ms"], rss_mib / (node["rss_kb_after"] / 1024)))

    print("| target | series/scrape | p50 ms | p99 ms | client p50 ms | CPU ms/scrape (raw) | exposition ms/scrape | CPU ms/collection | collect+expose ms | µs/scrape/series (collect+expose) | default setup ms/scrape | RSS MiB after 10k | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()
    print("Spaced scrapes (each one collects):")
    print()
    print("| target | round | scrapes x spacing | series | p50 ms | p99 ms | max ms | CPU ms/scrape | µs/scrape/series | vs node_exporter (<= 0.5x) | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        node_path = out / f"node_exporter.{r}.spaced.json"
        if not node_path.exists():
            continue
        node = load(node_path)
        node_us = node["server_cpu_seconds"] / node["scrapes"] / node["series"] * 1e6
        for label, spaced in [("node_exporter 1.5", node)] + [(l, load(out / f"{l}.{r}.spaced.json")) for l in labels if (out / f"{l}.{r}.spaced.json").exists()]:
            us = spaced["server_cpu_seconds"] / spaced["scrapes"] / spaced["series"] * 1e6
            ratio = "-" if spaced is node else f"{us / node_us:.2f}x {'holds' if us / node_us <= 0.5 else 'FAILS'}"
            print(f"| {label} | {r} | {spaced['scrapes']} x {spaced['spacing_seconds']} s | {spaced['series']} | {spaced['p50_ms']} | {spaced['p99_ms']} | {spaced['max_ms']} "
                  f"| {spaced['server_cpu_seconds'] / spaced['scrapes'] * 1e3:.2f} | {us:.2f} | {ratio} | {spaced['rss_kb_after'] / 1024:.1f} |")
    print()
    print("| variant | round | CPU/scrape/series vs node_exporter, raw scrape (<= 0.5x) | same, collect+expose (<= 0.5x) | p99 (<= 5 ms) | RSS vs node_exporter (<= 1.5x) |")
    print("|---|---|---|---|---|---|")

    def verdict(ok):
        return "holds" if ok else "FAILS"
    for label, r, raw_ratio, cpu_ratio, p99, rss_ratio in verdicts:
        print(f"| {label} | {r} | {raw_ratio:.2f}x {verdict(raw_ratio <= 0.5)} | {cpu_ratio:.2f}x {verdict(cpu_ratio <= 0.5)} | {p99:.2f} ms {verdict(p99 <= 5)} | {rss_ratio:.2f}x {verdict(rss_ratio <= 1.5)} |")


if __name__ == "__main__":
    main()
