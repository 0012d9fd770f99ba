#!/usr/bin/env bash
# Exporter benchmark, side by side with Debian's node_exporter 1.5 (5 collectors), over real
# pod cgroups made for the run. Root only (it makes cgroups). See docs/benchmarks.md (Exporter).
#
#   bench/exporter/run.sh                         # publishes the NativeAOT exporter, then measures
#   bench/exporter/run.sh aot=/path/kubemonitor-exporter jit=/other/kubemonitor-exporter@DOTNET_gcServer=0
#
# Each argument is one variant of our exporter: label=binary, optionally @VAR=value@VAR=value
# for its environment. Settings (environment): PODS (110), SCRAPES (10000, measured after 200
# warm-up scrapes), COLLECT_SECONDS (60: idle window at --interval 1s for CPU per
# collection), ROUNDS (1: every target measured this many times, fresh processes each time),
# OUT (results directory), NODE_EXPORTER_PORT (39100), EXPORTER_PORT (39847),
# SPACED_SCRAPES (60) and SPACING (1.5 s): scrapes far enough apart that each of ours collects
# (values at most 1 s old, docs/api.md section 4), as every node_exporter scrape does; our
# exporter then runs at --interval 10m so that only scrapes collect.
# PODS_ONLY=1 only makes the pods and holds them until the script is stopped (for profiling).
#
# Every process and cgroup this script makes is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PODS=${PODS:-110}
SCRAPES=${SCRAPES:-10000}
COLLECT_SECONDS=${COLLECT_SECONDS:-60}
ROUNDS=${ROUNDS:-1}
OUT=${OUT:-$(mktemp -d /tmp/exporter-bench.XXXXXX)}
NODE_EXPORTER_PORT=${NODE_EXPORTER_PORT:-39100}
EXPORTER_PORT=${EXPORTER_PORT:-39847}
INTERVAL=1s
SPACED_SCRAPES=${SPACED_SCRAPES:-60}
SPACING=${SPACING:-1.5}
# shellcheck source=../lib/pods.sh
source "$here/../lib/pods.sh"

mkdir -p "$OUT"
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (it creates cgroups)" >&2; exit 1; }
for port in "$NODE_EXPORTER_PORT" "$EXPORTER_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then echo "run.sh: port $port is taken" >&2; exit 1; fi
done

servers=()

cleanup() {
    set +e
    trap - EXIT INT TERM
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null; done
    cleanup_pods
}
trap 'cleanup; exit 130' INT TERM
trap 'status=$?; cleanup || status=1; exit $status' EXIT

wait_ready() {
    local url=$1 pid=$2 attempt
    for attempt in $(seq 300); do
        curl -sf -o /dev/null "$url" && return 0
        kill -0 "$pid" 2>/dev/null || { echo "run.sh: server $pid died; see $OUT" >&2; exit 1; }
        sleep 0.1
    done
    echo "run.sh: $url not ready" >&2
    exit 1
}

stop_server() {
    local pid=$1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    local others=() other
    for other in "${servers[@]}"; do [[ $other == "$pid" ]] || others+=("$other"); done
    servers=("${others[@]}")
}

bench_node_exporter() {
    local round=$1 pid
    prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
        --collector.disable-defaults --collector.cpu --collector.meminfo --collector.netdev \
        --collector.diskstats --collector.stat > "$OUT/node_exporter.$round.log" 2>&1 &
    pid=$!
    servers+=("$pid")
    wait_ready "http://127.0.0.1:$NODE_EXPORTER_PORT/metrics" "$pid"
    log "node_exporter (pid $pid): $SCRAPES scrapes"
    python3 "$here/scrape.py" --pid "$pid" --url "http://127.0.0.1:$NODE_EXPORTER_PORT/metrics" \
        --overhead-url "http://127.0.0.1:$NODE_EXPORTER_PORT/" --scrapes "$SCRAPES" \
        > "$OUT/node_exporter.$round.scrape.json"
    log "node_exporter: $SPACED_SCRAPES scrapes ${SPACING}s apart"
    python3 "$here/scrape.py" --pid "$pid" --url "http://127.0.0.1:$NODE_EXPORTER_PORT/metrics" \
        --scrapes "$SPACED_SCRAPES" --warmup 3 --spacing "$SPACING" > "$OUT/node_exporter.$round.spaced.json"
    stop_server "$pid"
}

bench_exporter() {
    local round=$1 spec=$2 label binary envs pid
    label=${spec%%=*}
    binary=${spec#*=}
    envs=()
    if [[ $binary == *@* ]]; then
        IFS=@ read -r -a envs <<< "${binary#*@}"
        binary=${binary%%@*}
    fi
    env "${envs[@]}" "$binary" --listen "127.0.0.1:$EXPORTER_PORT" --interval "$INTERVAL" \
        --node-name bench-node --log-level Warning > "$OUT/$label.$round.log" 2>&1 &
    pid=$!
    servers+=("$pid")
    wait_ready "http://127.0.0.1:$EXPORTER_PORT/readyz" "$pid"
    log "$label (pid $pid${envs:+, ${envs[*]}}): ${COLLECT_SECONDS}s idle at --interval $INTERVAL"
    python3 "$here/scrape.py" --pid "$pid" --idle-seconds "$COLLECT_SECONDS" > "$OUT/$label.$round.idle.json"
    log "$label: $SCRAPES scrapes"
    python3 "$here/scrape.py" --pid "$pid" --url "http://127.0.0.1:$EXPORTER_PORT/metrics" \
        --overhead-url "http://127.0.0.1:$EXPORTER_PORT/livez" --scrapes "$SCRAPES" \
        > "$OUT/$label.$round.scrape.json"
    curl -sf "http://127.0.0.1:$EXPORTER_PORT/metrics" > "$OUT/$label.$round.metrics.txt"
    stop_server "$pid"

    env "${envs[@]}" "$binary" --listen "127.0.0.1:$EXPORTER_PORT" --interval 10m \
        --node-name bench-node --log-level Warning >> "$OUT/$label.$round.log" 2>&1 &
    pid=$!
    servers+=("$pid")
    wait_ready "http://127.0.0.1:$EXPORTER_PORT/readyz" "$pid"
    log "$label (pid $pid, --interval 10m): $SPACED_SCRAPES scrapes ${SPACING}s apart"
    python3 "$here/scrape.py" --pid "$pid" --url "http://127.0.0.1:$EXPORTER_PORT/metrics" \
        --scrapes "$SPACED_SCRAPES" --warmup 3 --spacing "$SPACING" > "$OUT/$label.$round.spaced.json"
    stop_server "$pid"
}

variants=("$@")
if [[ ${#variants[@]} == 0 && ${PODS_ONLY:-0} != 1 ]]; then
    log "publishing the NativeAOT exporter to $OUT/aot (a few minutes)"
    dotnet publish "$repo/exporter" -c Release -r linux-x64 -o "$OUT/aot" > "$OUT/publish.log"
    variants=("aot=$OUT/aot/kubemonitor-exporter")
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
    echo "memory: $(grep MemTotal /proc/meminfo | awk '{print $2}') kB"
    echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | head -1)"
    echo "variants: ${variants[*]}"
    echo "pods: $PODS scrapes: $SCRAPES collect_seconds: $COLLECT_SECONDS rounds: $ROUNDS"
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"

make_pods "$PODS"
if [[ ${PODS_ONLY:-0} == 1 ]]; then
    log "holding the pods until stopped (pid $$)"
    sleep infinity &
    servers+=("$!")
    wait "$!"
fi
for ((round = 1; round <= ROUNDS; round++)); do
    bench_node_exporter "$round"
    for spec in "${variants[@]}"; do bench_exporter "$round" "$spec"; done
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
python3 "$here/summarize.py" "$OUT" | tee "$OUT/summary.md"
log "results in $OUT"
