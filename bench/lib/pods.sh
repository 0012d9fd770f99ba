# Real pod cgroups for the benchmarks, sourced by bench/*/run.sh (root only).
#
# make_pods N makes N pods the way a kubelet with the cgroupfs driver does on this cgroup v1
# host (kubepods/burstable/pod<uid>/<container id> in every controller the exporter reads), each
# with one sleeping process, and fills pod_uids[] and container_ids[] (same order).
# cleanup_pods ends the sleepers and removes every cgroup make_pods made (returns 1 if one
# could not be removed). The caller installs the traps and calls cleanup_pods from them.

CGROUP_ROOT=${CGROUP_ROOT:-/sys/fs/cgroup}
# The v1 controllers a kubelet with the cgroupfs driver puts a container in (and the exporter reads).
CONTROLLERS=(cpu cpuacct memory blkio pids)
QOS_PATH=kubepods/burstable

created_parents=()   # kubepods levels that did not exist before (removed last, if empty)
pod_dirs=()          # pod<uid> dirs, one per controller
container_dirs=()    # <id> dirs, one per controller
sleepers=()
pod_uids=()
container_ids=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

rmdir_retry() {
    # A cgroup whose last task just died is busy for a moment.
    local dir=$1 attempt
    for attempt in $(seq 50); do
        [[ -d $dir ]] || return 0
        rmdir "$dir" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "could not remove $dir" >&2
    return 1
}

cleanup_pods() {
    local pid dir i failed=0
    for pid in "${sleepers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${sleepers[@]}"; do wait "$pid" 2>/dev/null; done
    # Only our sleepers were ever put in these fresh cgroups; end any that is somehow left.
    for dir in "${container_dirs[@]}"; do
        [[ -f $dir/cgroup.procs ]] && xargs -r kill -9 < "$dir/cgroup.procs" 2>/dev/null
    done
    for dir in "${container_dirs[@]}" "${pod_dirs[@]}"; do rmdir_retry "$dir" || failed=1; done
    for ((i = ${#created_parents[@]} - 1; i >= 0; i--)); do
        # Another run's pods may sit under a parent we made; then it stays for them.
        rmdir "${created_parents[i]}" 2>/dev/null || echo "left ${created_parents[i]} (not empty: someone else's pods)" >&2
    done
    log "cleaned up ${#sleepers[@]} sleepers, ${#container_dirs[@]} container and ${#pod_dirs[@]} pod cgroups"
    return $failed
}

make_pods() {
    local count=$1 c level dir i uid id path
    for c in "${CONTROLLERS[@]}"; do
        dir=$CGROUP_ROOT/$c
        for level in ${QOS_PATH//\// }; do
            dir=$dir/$level
            if [[ ! -d $dir ]]; then mkdir "$dir"; created_parents+=("$dir"); fi
        done
    done
    for ((i = 0; i < count; i++)); do
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
        pod_uids+=("$uid")
        container_ids+=("$id")
    done
    sleep 0.5
    for dir in "${container_dirs[@]}"; do
        [[ $(wc -l < "$dir/cgroup.procs") == 1 ]] || { echo "$dir does not hold its sleeper" >&2; return 1; }
    done
    log "made $count pods (cgroupfs layout, $QOS_PATH, controllers ${CONTROLLERS[*]}), one sleeping process each"
}
