#!/usr/bin/env bash
# Starts KubeMonitor on this machine: a facade on http://127.0.0.1:8080 and an exporter for
# this host (node metrics from /proc and /sys; no Kubernetes needed) that pushes to it every
# 5 s and serves its own /metrics on http://127.0.0.1:9847. Ctrl-C stops both.
# Environment: FACADE_PORT (8080), EXPORTER_PORT (9847), INTERVAL (5s). Extra arguments go to
# the exporter, e.g. ./run.sh --kubeconfig ~/.kube/config --node-name minikube
set -euo pipefail
cd "$(dirname "$0")"
facade_port=${FACADE_PORT:-8080}
exporter_port=${EXPORTER_PORT:-9847}

# The facade's build bundles its page (facade/web) with npm.
for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is needed to build the facade's page: sudo apt-get install nodejs npm" >&2; exit 1; }
done

echo "run.sh: building (Release)..."
dotnet build facade/KubeMonitor.Facade.csproj -c Release -nologo -v quiet
dotnet build exporter/KubeMonitor.Exporter.csproj -c Release -nologo -v quiet

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "run.sh: stopping"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

dotnet facade/bin/Release/net10.0/kubemonitor-facade.dll --urls "http://127.0.0.1:${facade_port}" &
pids+=($!)
dotnet exporter/bin/Release/net10.0/kubemonitor-exporter.dll \
    --listen "127.0.0.1:${exporter_port}" --interval "${INTERVAL:-5s}" \
    --facade-url "http://127.0.0.1:${facade_port}" "$@" &
pids+=($!)

node=${NODE_NAME:-$(hostname)}
cat <<MSG

KubeMonitor is running (Ctrl-C stops it):
  page       http://127.0.0.1:${facade_port}/
  facade     http://127.0.0.1:${facade_port}/api/nodes
  this node  http://127.0.0.1:${facade_port}/api/nodes/${node}?window=60
  exporter   http://127.0.0.1:${exporter_port}/metrics
Try:  curl -s "http://127.0.0.1:${facade_port}/api/nodes/${node}" | python3 -m json.tool

MSG
wait -n "${pids[@]}"
