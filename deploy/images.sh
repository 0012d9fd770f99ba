#!/usr/bin/env bash
# Builds the KubeMonitor images, exporter/Dockerfile and facade/Dockerfile, for linux/amd64 and
# linux/arm64 (one multi-arch image each) and tags them <registry>/exporter:<tag> and
# <registry>/facade:<tag>. The defaults are the images deploy/base names (a test keeps the two
# equal), so set your own with kustomize: docs/install.md, "Images".
#
#   deploy/images.sh --registry ghcr.io/me/kubemonitor --tag 0.1.0 --push   # build and push
#   deploy/images.sh --tag dev --load          # this machine's platform, into the local engine
#   deploy/images.sh --registry ghcr.io/me/kubemonitor --push --dry-run     # print, run nothing
#   deploy/images.sh --registry ghcr.io/me/kubemonitor --print-images       # the references
#
# Options:
#   --registry PREFIX   what comes before /exporter and /facade [kubemonitor]
#   --tag TAG           [0.1.0]
#   --platform LIST     comma-separated, of linux/amd64 and linux/arm64
#                       [both; with --load, this machine's only]
#   --push              push both images (needs --registry: nothing is published as kubemonitor/)
#   --load              into the local engine's images (one platform: docker's store holds one
#                       per tag); without --push or --load the images are built and not kept
#   --tool docker|podman  docker buildx (default) or podman
#   --dry-run           print the commands instead of running them
#   --print-images      print the two image references, one a line, and stop
#
# No stage needs emulation (QEMU): both Dockerfiles build on the build machine's platform and
# cross-compile (see exporter/Dockerfile). docker builds multi-arch with a docker-container
# builder named kubemonitor, created on first use.
set -euo pipefail
# Bash 3.2 (macOS) too: empty arrays are expanded as ${a[@]+"${a[@]}"}.

root=$(cd "$(dirname "$0")/.." && pwd)
programs=(exporter facade)
registry=kubemonitor
tag=0.1.0
platforms=
output=
tool=docker
dry_run=false
print_images=false

fail() { echo "images.sh: $*" >&2; exit 2; }
value() { [[ $# -ge 2 && -n $2 ]] || fail "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --registry=*|--tag=*|--platform=*|--tool=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
        --registry) value "$@"; registry=$2; shift ;;
        --tag) value "$@"; tag=$2; shift ;;
        --platform) value "$@"; platforms=$2; shift ;;
        --tool) value "$@"; tool=$2; shift ;;
        --push|--load) [[ -z $output || $output == "$1" ]] || fail "--push and --load exclude each other"; output=$1 ;;
        --dry-run) dry_run=true ;;
        --print-images) print_images=true ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) fail "unknown argument $1 (--help lists them)" ;;
    esac
    shift
done

# Lower case, path components of letters, digits and . _ -, the first may carry a :port.
component='[a-z0-9]([a-z0-9._-]*[a-z0-9])?'
[[ $registry =~ ^$component(:[0-9]+)?(/$component)*$ ]] || fail "--registry '$registry' is not an image name prefix (lower case, no trailing /)"
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || fail "--tag '$tag' is not an image tag"
[[ $tool == docker || $tool == podman ]] || fail "--tool is docker or podman, not '$tool'"

image() { echo "$registry/$1:$tag"; }

if $print_images; then
    for program in "${programs[@]}"; do image "$program"; done
    exit 0
fi

if [[ -z $platforms && $output != --load ]]; then platforms=linux/amd64,linux/arm64; fi
IFS=, read -r -a platform_list <<< "$platforms"
for platform in ${platform_list[@]+"${platform_list[@]}"}; do
    [[ $platform == linux/amd64 || $platform == linux/arm64 ]] || fail "--platform: the Dockerfiles build linux/amd64 and linux/arm64, not '$platform'"
done
[[ $output != --load || ${#platform_list[@]} -le 1 ]] || fail "--load takes one platform (the local image store holds one per tag); --push for both"
[[ $output != --push || $registry != kubemonitor ]] || fail "--push needs --registry, one you can push to"

# Each command is one shell line: printed as it is by --dry-run, run as it is otherwise.
quote() {
    local word out='' escaped="'\\''"
    for word in "$@"; do
        if [[ $word =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $word"; else out+=" '${word//\'/$escaped}'"; fi
    done
    echo "${out# }"
}
run() {
    if $dry_run; then echo "$1"; else echo "+ $1" >&2; eval "$1"; fi
}

if ! $dry_run; then
    if [[ $tool == docker ]]; then
        docker buildx version >/dev/null 2>&1 || fail "docker buildx is not installed (https://docs.docker.com/build/install-buildx/); or use --tool podman"
    else
        command -v podman >/dev/null || fail "podman is not installed"
    fi
fi

platform_args=()
[[ -n $platforms ]] && platform_args=(--platform "$platforms")

if [[ $tool == docker ]]; then
    builder_args=()
    # --load goes to the engine's own builder, which loads straight into its store; several
    # platforms and --push need a docker-container builder (the default one builds one platform).
    if [[ $output != --load ]]; then
        run "$(quote docker buildx inspect kubemonitor) >/dev/null 2>&1 || $(quote docker buildx create --name kubemonitor --driver docker-container)"
        builder_args=(--builder kubemonitor)
    fi
    for program in "${programs[@]}"; do
        run "$(quote docker buildx build ${builder_args[@]+"${builder_args[@]}"} ${platform_args[@]+"${platform_args[@]}"} --file "$root/$program/Dockerfile" --tag "$(image "$program")" ${output:+"$output"} "$root")"
    done
else
    for program in "${programs[@]}"; do
        ref=$(image "$program")
        if [[ $output == --load ]]; then
            run "$(quote podman build ${platform_args[@]+"${platform_args[@]}"} --file "$root/$program/Dockerfile" --tag "$ref" "$root")"
            continue
        fi
        # A manifest list gains an entry per build: start it afresh, or an old one is pushed too.
        run "$(quote podman manifest exists "$ref") && $(quote podman manifest rm "$ref") >/dev/null || true"
        run "$(quote podman build ${platform_args[@]+"${platform_args[@]}"} --file "$root/$program/Dockerfile" --manifest "$ref" "$root")"
        if [[ $output == --push ]]; then
            run "$(quote podman manifest push --all "$ref" "docker://$ref")"
        fi
    done
fi
