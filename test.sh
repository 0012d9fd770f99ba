#!/usr/bin/env bash
# Runs every test of KubeMonitor. Installs what the tests need first (as root on Debian 12):
# Prometheus 2.42 (+ promtool), node_exporter 1.5, stress-ng, iperf3, iproute2, libfaketime
# (an exporter with a wrong clock), node and npm (the build of the facade's page) and chromium
# (the page's browser tests; Playwright drives Debian's, it downloads none).
# Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

need=()
for pair in promtool:prometheus prometheus-node-exporter:prometheus-node-exporter stress-ng:stress-ng iperf3:iperf3 ip:iproute2 faketime:faketime \
            node:nodejs npm:npm chromium:chromium; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if ((${#need[@]})); then
    echo "test.sh: installing ${need[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "test.sh: run as root to install ${need[*]} (tests that need them run as root)" >&2; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Debian starts the packaged services; the tests start their own on 127.0.0.1.
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    for svc in prometheus prometheus-node-exporter; do
        (systemctl stop "$svc" || service "$svc" stop || pkill -x "$svc" || true) >/dev/null 2>&1
    done
fi

# kubectl renders the manifests offline (kubectl kustomize); it is not in Debian's archive.
command -v kubectl >/dev/null 2>&1 || { echo "test.sh: kubectl is needed (the deploy tests render deploy/ with kubectl kustomize)" >&2; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet build KubeMonitor.sln -c Release -nologo
# One test project at a time: several of them put real load on this machine and measure it,
# and `dotnet test` on the solution would run the projects side by side.
for project in tests/*/*.Tests.csproj; do
    dotnet test "$project" -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?
done

# One closing line over all test projects, counted from the trx files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
