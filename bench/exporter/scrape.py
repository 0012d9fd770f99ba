#!/usr/bin/env python3
"""Tight keep-alive scrape loop against one exporter, with its CPU and RSS read from /proc.

One HTTP/1.1 connection, one request at a time (like Prometheus), plain text format, no gzip.
Latency is measured around request + full body read, so it includes this client's own cost;
--overhead-url scrapes a tiny endpoint of the same server the same way to show that cost.

Prints one JSON object: latencies (ms), CPU seconds used by the server during the measured
scrapes (utime+stime of /proc/<pid>/stat), VmRSS after the last scrape, series per scrape.
"""
import argparse
import http.client
import json
import os
import statistics
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        # The command name may contain spaces: fields start after the last ')'.
        fields = f.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLK_TCK


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def series_in(body):
    """Sample lines of one exposition: every non-empty line that is not a comment."""
    return sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#"))


def scrape_loop(url, count, spacing=0.0):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path or "/"
    latencies = []
    body = b""
    for _ in range(count):
        start = time.perf_counter_ns()
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = conn.getresponse()
        body = response.read()
        latencies.append((time.perf_counter_ns() - start) / 1e6)
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
        if spacing:
            time.sleep(spacing)
    conn.close()
    return latencies, body


def percentile(sorted_values, p):
    # Nearest rank: the smallest value with at least p% of the samples at or below it.
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--scrapes", type=int, default=10000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--overhead-url", help="a tiny endpoint of the same server, to show the client's own latency")
    parser.add_argument("--spacing", type=float, default=0.0,
                        help="seconds between scrapes; above our exporter's 1 s freshness every scrape collects, as each of node_exporter's does")
    parser.add_argument("--idle-seconds", type=float, help="no scrapes: only the server's CPU over this long (its background collections)")
    args = parser.parse_args()

    if args.idle_seconds:
        cpu_before = cpu_seconds(args.pid)
        wall_start = time.monotonic()
        time.sleep(args.idle_seconds)
        wall = time.monotonic() - wall_start
        cpu = cpu_seconds(args.pid) - cpu_before
        print(json.dumps({
            "idle_wall_seconds": round(wall, 3),
            "server_cpu_seconds": round(cpu, 3),
            "rss_kb_after": status_kb(args.pid, "VmRSS"),
            "loadavg": open("/proc/loadavg").read().split()[:3],
        }))
        return

    scrape_loop(args.url, args.warmup, args.spacing)
    rss_before = status_kb(args.pid, "VmRSS")
    cpu_before = cpu_seconds(args.pid)
    wall_start = time.monotonic()
    latencies, body = scrape_loop(args.url, args.scrapes, args.spacing)
    wall = time.monotonic() - wall_start
    cpu = cpu_seconds(args.pid) - cpu_before
    result = {
        "url": args.url,
        "scrapes": args.scrapes,
        "spacing_seconds": args.spacing,
        "wall_seconds": round(wall, 3),
        "server_cpu_seconds": round(cpu, 3),
        "cpu_ms_per_scrape": round(cpu / args.scrapes * 1e3, 4),
        "series": series_in(body),
        "bytes": len(body),
        "p50_ms": round(percentile(sorted(latencies), 50), 3),
        "p90_ms": round(percentile(sorted(latencies), 90), 3),
        "p99_ms": round(percentile(sorted(latencies), 99), 3),
        "max_ms": round(max(latencies), 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "rss_kb_before": rss_before,
        "rss_kb_after": status_kb(args.pid, "VmRSS"),
        "hwm_kb_after": status_kb(args.pid, "VmHWM"),
        "threads": status_kb(args.pid, "Threads"),
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }
    result["cpu_us_per_scrape_per_series"] = round(cpu / args.scrapes / result["series"] * 1e6, 4)
    if args.overhead_url:
        tiny, _ = scrape_loop(args.overhead_url, 1000)
        tiny.sort()
        result["client_overhead_p50_ms"] = round(percentile(tiny, 50), 3)
        result["client_overhead_p99_ms"] = round(percentile(tiny, 99), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
