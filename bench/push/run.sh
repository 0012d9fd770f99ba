#!/usr/bin/env bash
# Push benchmark: a real exporter over real pod cgroups pushing to a real facade (issue 4,
# "Performance"; results in docs/benchmarks.md, "Push"). Root only (it makes cgroups).
#
#   bench/push/run.sh                      # publishes both (NativeAOT exporter, facade as shipped), then measures
#   EXPORTER=/path/kubemonitor-exporter FACADE=/path/kubemonitor-facade.dll bench/push/run.sh
#
# 1. Steady state at the default --interval 5s for STEADY_SECONDS (180): bytes per batch,
#    exporter CPU per interval (collection of PODS pods + mapping + JSON + push), facade CPU
#    per batch, both RSS.
# 2. Replay: the exporter restarted at --interval 1s, the facade stopped until REPLAY_BATCHES
#    (180, what 15 minutes hold at the default 5 s) are buffered, then started again: time
#    from the facade being ready until the buffer is empty, and the facade's stored points.
# Settings (environment): PODS (110), STEADY_SECONDS, REPLAY_BATCHES, OUT (results directory),
# FACADE_PORT (38080), EXPORTER_PORT (39847), API_PORT (39443).
# Every process and cgroup this script makes is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PODS=${PODS:-110}
STEADY_SECONDS=${STEADY_SECONDS:-180}
REPLAY_BATCHES=${REPLAY_BATCHES:-180}
OUT=${OUT:-$(mktemp -d /tmp/push-bench.XXXXXX)}
FACADE_PORT=${FACADE_PORT:-38080}
EXPORTER_PORT=${EXPORTER_PORT:-39847}
API_PORT=${API_PORT:-39443}
NODE=bench-node
facade_url=http://127.0.0.1:$FACADE_PORT
exporter_url=http://127.0.0.1:$EXPORTER_PORT
target=127.0.0.1:$FACADE_PORT
# shellcheck source=../lib/pods.sh
source "$here/../lib/pods.sh"

mkdir -p "$OUT"
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (it creates cgroups)" >&2; exit 1; }
for port in "$FACADE_PORT" "$EXPORTER_PORT" "$API_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then echo "run.sh: port $port is taken" >&2; exit 1; fi
done

api_pid='' facade_pid='' exporter_pid=''
cleanup() {
    set +e
    trap - EXIT INT TERM
    for pid in $exporter_pid $facade_pid $api_pid; do kill "$pid" 2>/dev/null; done
    for pid in $exporter_pid $facade_pid $api_pid; do wait "$pid" 2>/dev/null; done
    cleanup_pods
}
trap 'cleanup; exit 130' INT TERM
trap 'status=$?; cleanup || status=1; exit $status' EXIT

fail() { echo "run.sh: $*; logs in $OUT" >&2; exit 1; }

wait_ready() {
    local url=$1 pid=$2 attempt
    for attempt in $(seq 600); do
        curl -sf -o /dev/null "$url" && return 0
        kill -0 "$pid" 2>/dev/null || fail "server $pid died"
        sleep 0.1
    done
    fail "$url not ready"
}

# Sum of a metric's samples whose line matches a filter (the exporter's /metrics).
metric() {
    curl -sf "$exporter_url/metrics" | awk -v name="$1" -v filter="${2:-}" \
        'index($1, name) == 1 && (length($1) == length(name) || substr($1, length(name) + 1, 1) == "{") && index($0, filter) { sum += $NF } END { printf "%.0f\n", sum }'
}
sent() { metric kubemonitor_exporter_push_batches_total "result=\"sent\""; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, all threads
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
clock_ticks=$(getconf CLK_TCK)
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

start_facade() {
    (cd "$(dirname "$FACADE")" && exec dotnet "$FACADE" --urls "$facade_url" >> "$OUT/facade.log" 2>&1) &
    facade_pid=$!
}
start_exporter() {
    "$EXPORTER" --node-name "$NODE" --kubeconfig "$OUT/kubeconfig" --listen "127.0.0.1:$EXPORTER_PORT" \
        --facade-url "$facade_url" --interval "$1" --log-level Warning >> "$OUT/exporter.log" 2>&1 &
    exporter_pid=$!
    wait_ready "$exporter_url/readyz" "$exporter_pid"
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

if [[ -z ${EXPORTER:-} ]]; then
    log "publishing the NativeAOT exporter to $OUT/exporter (a few minutes)"
    dotnet publish "$repo/exporter" -c Release -r linux-x64 -o "$OUT/exporter" > "$OUT/publish-exporter.log"
    EXPORTER=$OUT/exporter/kubemonitor-exporter
fi
if [[ -z ${FACADE:-} ]]; then
    log "publishing the facade to $OUT/facade"
    dotnet publish "$repo/facade" -c Release -o "$OUT/facade" > "$OUT/publish-facade.log"
    FACADE=$OUT/facade/kubemonitor-facade.dll
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
    echo "commit: $(git -C "$repo" rev-parse --short HEAD)"
    echo "exporter: $EXPORTER"
    echo "facade: $FACADE"
    echo "pods: $PODS steady_seconds: $STEADY_SECONDS replay_batches: $REPLAY_BATCHES"
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"

make_pods "$PODS"
for ((i = 0; i < PODS; i++)); do echo "${pod_uids[i]} ${container_ids[i]}"; done > "$OUT/pods.txt"
python3 "$here/fake_apiserver.py" --port "$API_PORT" --node "$NODE" --pods "$OUT/pods.txt" &
api_pid=$!
cat > "$OUT/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{ name: bench, cluster: { server: "http://127.0.0.1:$API_PORT" } }]
users: [{ name: bench, user: { token: bench } }]   # the fake API ignores it; the client wants a credential
contexts: [{ name: bench, context: { cluster: bench, user: bench } }]
current-context: bench
KUBECONFIG

start_facade
wait_ready "$facade_url/readyz" "$facade_pid"
start_exporter 5s
log "waiting for every pod to be named and pushed"
for attempt in $(seq 120); do
    (( $(sent) >= 2 )) && [[ $(metric kubemonitor_exporter_push_unnamed_pods) == 0 ]] && break
    sleep 1
done
(( $(sent) >= 2 )) || fail "no batch was accepted"
pods_seen=$(curl -sf "$facade_url/api/pods" | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if p["node"] == "'$NODE'"))')
[[ $pods_seen == "$PODS" ]] || fail "the facade shows $pods_seen of $PODS pods"

# ---- 1. steady state ------------------------------------------------------------------------
log "steady state: ${STEADY_SECONDS}s at --interval 5s"
t0=$(now) e0=$(cpu_ticks "$exporter_pid") f0=$(cpu_ticks "$facade_pid") s0=$(sent)
b0=$(metric kubemonitor_exporter_push_sent_bytes_total)
sleep "$STEADY_SECONDS"
t1=$(now) e1=$(cpu_ticks "$exporter_pid") f1=$(cpu_ticks "$facade_pid") s1=$(sent)
b1=$(metric kubemonitor_exporter_push_sent_bytes_total)
batches=$((s1 - s0))
(( batches > 0 )) || fail "no batch sent in the steady window"
pods_collector_ms=$(curl -sf "$exporter_url/metrics" | awk '/^kubemonitor_exporter_collector_duration_seconds\{collector="pods"\}/ { printf "%.1f", $NF * 1000 }')
{
    echo "## Steady state ($PODS pods, --interval 5s, $(calc "round($t1 - $t0)") s, $batches batches)"
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| push bytes per batch (JSON) | $(calc "round(($b1 - $b0) / $batches)") |"
    echo "| exporter CPU per interval (collect + map + JSON + push) | $(calc "round(($e1 - $e0) * 1000 / $clock_ticks / $batches, 1)") ms |"
    echo "| exporter CPU, share of one core | $(calc "round(($e1 - $e0) / $clock_ticks / ($t1 - $t0) * 100, 2)") % |"
    echo "| pods collector, wall time of the last collection | $pods_collector_ms ms |"
    echo "| facade CPU per batch (ingest of $PODS pods + its own upkeep) | $(calc "round(($f1 - $f0) * 1000 / $clock_ticks / $batches, 1)") ms |"
    echo "| exporter RSS | $(calc "round($(rss_kib "$exporter_pid") / 1024, 1)") MiB |"
    echo "| facade RSS | $(calc "round($(rss_kib "$facade_pid") / 1024, 1)") MiB |"
    echo
} | tee "$OUT/results.md"

# ---- 2. replay ------------------------------------------------------------------------------
stop "$exporter_pid"
start_exporter 1s
for attempt in $(seq 30); do (( $(sent) >= 1 )) && break; sleep 0.5; done
log "replay: facade stopped until $REPLAY_BATCHES batches are buffered (about $REPLAY_BATCHES s)"
stop "$facade_pid"
outage_start=$(now)
while (( $(metric kubemonitor_exporter_push_buffered_batches) < REPLAY_BATCHES )); do sleep 0.2; done
rss_buffered=$(rss_kib "$exporter_pid")
sent_before=$(sent)
start_facade
facade_started=$(now)
wait_ready "$facade_url/readyz" "$facade_pid"
facade_ready=$(now)
buffered_at_ready=$(metric kubemonitor_exporter_push_buffered_batches)
first_sent=''
while :; do
    buffered=$(metric kubemonitor_exporter_push_buffered_batches)
    [[ -z $first_sent ]] && (( $(sent) > sent_before )) && first_sent=$(now)
    (( buffered == 0 )) && break
    (( $(calc "int($(now) - $facade_ready)") < 300 )) || fail "buffer not drained in 300 s"
    sleep 0.05
done
drained=$(now)
dropped=$(metric kubemonitor_exporter_push_batches_total "result=\"dropped\"")
sleep 2
# Every collection of the outage is stored: the points of one pod over the outage.
pod=$(head -1 "$OUT/pods.txt" | cut -d' ' -f1)
points=$(curl -sf "$facade_url/api/pods?limit=1000" | python3 -c '
import json, sys, urllib.request
from datetime import datetime
pod = next(p for p in json.load(sys.stdin)["items"] if p["uid"] == "'"$pod"'")
window = int('"$(calc "int($(now) - $outage_start) + 5")"')
url = "'"$facade_url"'/api/pods/%s?namespace=%s&window=%d" % (pod["name"], pod["namespace"], window)
series = json.load(urllib.request.urlopen(url))
start = datetime.fromtimestamp('"$outage_start"').astimezone()
print(sum(1 for p in series["points"] if datetime.fromisoformat(p["timestamp"].replace("Z", "+00:00")) > start))')
{
    echo "## Replay ($(calc "round($facade_started - $outage_start)") s outage at --interval 1s)"
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| batches buffered when the facade was ready | $buffered_at_ready |"
    echo "| exporter RSS with $REPLAY_BATCHES batches buffered | $(calc "round($rss_buffered / 1024, 1)") MiB |"
    echo "| facade start to ready | $(calc "round($facade_ready - $facade_started, 2)") s |"
    echo "| facade ready to first batch accepted | $(calc "round($first_sent - $facade_ready, 2)") s |"
    echo "| facade ready to buffer empty (replay time) | $(calc "round($drained - $facade_ready, 2)") s |"
    echo "| batches dropped | $dropped |"
    echo "| points of one pod stored since the outage began | $points |"
    echo
    echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT/results.md"
log "results in $OUT"
