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
# OUT (results directory), NODE_EXPORTER_PORT (39100), EXPORTER_PORT (39847).
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
CGROUP_ROOT=/sys/fs/cgroup
# The v1 controllers a kubelet with the cgroupfs driver puts a container in (and the exporter reads).
CONTROLLERS=(cpu cpuacct memory blkio pids)
QOS_PATH=kubepods/burstable

mkdir -p "$OUT"
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (it creates cgroups)" >&2; exit 1; }
for port in "$NODE_EXPORTER_PORT" "$EXPORTER_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then echo "run.sh: port $port is taken" >&2; exit 1; fi
done

created_parents=()   # kubepods levels that did not exist before (removed last, if empty)
pod_dirs=()          # pod<uid> dirs, one per controller
container_dirs=()    # <id> dirs, one per controller
sleepers=()
servers=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

rmdir_retry() {
    # A cgroup whose last task just died is busy for a moment.
    local dir=$1 attempt
    for attempt in $(seq 50); do
        [[ -d $dir ]] || return 0
        rmdir "$dir" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "run.sh: could not remove $dir" >&2
    return 1
}

cleanup() {
    set +e
    trap - EXIT INT TERM
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null; done
    for pid in "${sleepers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${sleepers[@]}"; do wait "$pid" 2>/dev/null; done
    # Only our sleepers were ever put in these fresh cgroups; end any that is somehow left.
    for dir in "${container_dirs[@]}"; do
        [[ -f $dir/cgroup.procs ]] && xargs -r kill -9 < "$dir/cgroup.procs" 2>/dev/null
    done
    local failed=0 i
    for dir in "${container_dirs[@]}" "${pod_dirs[@]}"; do rmdir_retry "$dir" || failed=1; done
    for ((i = ${#created_parents[@]} - 1; i >= 0; i--)); do
        # Another run's pods may sit under a parent we made; then it stays for them.
        rmdir "${created_parents[i]}" 2>/dev/null || echo "run.sh: left ${created_parents[i]} (not empty: someone else's pods)" >&2
    done
    log "cleaned up ${#sleepers[@]} sleepers, ${#container_dirs[@]} container and ${#pod_dirs[@]} pod cgroups"
    return $failed
}
trap 'cleanup; exit 130' INT TERM
trap 'status=$?; cleanup || status=1; exit $status' EXIT

make_pods() {
    local c level dir i uid id path
    for c in "${CONTROLLERS[@]}"; do
        dir=$CGROUP_ROOT/$c
        for level in ${QOS_PATH//\// }; do
            dir=$dir/$level
            if [[ ! -d $dir ]]; then mkdir "$dir"; created_parents+=("$dir"); fi
        done
    done
    for ((i = 0; i < PODS; i++)); do
        uid=$(cat /proc/sys/kernel/random/uuid)
        id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
        path=$QOS_PATH/pod$uid/$id
        for c in "${CONTROLLERS[@]}"; do
            mkdir "$CGROUP_ROOT/$c/$QOS_PATH/pod$uid"
            pod_dirs+=("$CGROUP_ROOT/$c/$QOS_PATH/pod$uid")
            mkdir "$CGROUP_ROOT/$c/$path"
            container_dirs+=("$CGROUP_ROOT/$c/$path")
        done
        # The subshell joins the container cgroup in every controller, then becomes the sleeper.
        (
            for c in "${CONTROLLERS[@]}"; do echo "$BASHPID" > "$CGROUP_ROOT/$c/$path/cgroup.procs"; done
            exec sleep 3600
        ) &
        sleepers+=($!)
    done
    sleep 0.5
    for dir in "${container_dirs[@]}"; do
        [[ $(wc -l < "$dir/cgroup.procs") == 1 ]] || { echo "run.sh: $dir does not hold its sleeper" >&2; exit 1; }
    done
    log "made $PODS pods (cgroupfs layout, $QOS_PATH, controllers ${CONTROLLERS[*]}), one sleeping process each"
}

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

make_pods
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
