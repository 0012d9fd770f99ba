#!/usr/bin/env bash
# Two exporter builds side by side: both collect every second over the same pods in the same
# window, and each one's CPU per collection is printed with their ratio. Run it while
# `PODS_ONLY=1 bench/exporter/run.sh` holds the pods; one window's figures move with the machine,
# the ratio much less. See docs/benchmarks.md ("Exporter, lean").
#
#   bench/exporter/ab.sh /path/a/kubemonitor-exporter /path/b/kubemonitor-exporter [seconds=30] [windows=3]
set -euo pipefail
a=$1 b=$2 seconds=${3:-30} windows=${4:-3}
ticks=$(getconf CLK_TCK)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for ((window = 1; window <= windows; window++)); do
    "$a" --listen 127.0.0.1:39871 --interval 1s --node-name ab --log-level Warning > /dev/null 2>&1 &
    pa=$!
    "$b" --listen 127.0.0.1:39872 --interval 1s --node-name ab --log-level Warning > /dev/null 2>&1 &
    pb=$!
    pids=("$pa" "$pb")
    sleep 5 # started, first collections done
    a0=$(cpu_ticks "$pa") b0=$(cpu_ticks "$pb")
    sleep "$seconds"
    a1=$(cpu_ticks "$pa") b1=$(cpu_ticks "$pb")
    kill "$pa" "$pb"
    wait "$pa" "$pb" 2> /dev/null || true
    python3 -c "a=($a1-$a0)*1000/$ticks/$seconds; b=($b1-$b0)*1000/$ticks/$seconds; print(f'window $window: A {a:.1f} ms/collection, B {b:.1f} ms/collection, B/A {b/a:.3f}')"
done
