#!/bin/sh
# Make the grader image's base where no image registry is reachable: Debian
# bookworm (minbase) with its Python 3.11, venv and pip, imported into podman as
#     localhost/bookworm-python3.11:latest
# It stands in for the upstream base (python:3.11.11-slim-bookworm): both give
# `python3` 3.11 with `-m venv`, apt and useradd, which is all cluster/Dockerfile
# asks of its base. Needs root, mmdebstrap and podman (apt-get install podman
# runc mmdebstrap) and a Debian mirror (deb.debian.org, or MIRROR=...).
# Then build the grader's image on it (benchmarks/containers.py does, and times it):
#     podman --runtime runc build --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
#         -f cluster/Dockerfile --build-arg BASE=localhost/bookworm-python3.11:latest \
#         -t upsampling-course-grader:0.1.0 .
# runc, not podman's default crun, and rlimits no higher than the caller's: on
# machines without CAP_SYS_RESOURCE both runtimes' default rlimits are refused.
set -eu
TAG=${TAG:-localhost/bookworm-python3.11:latest}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# passwd: useradd, which the Dockerfile calls (python:*-slim has it too).
mmdebstrap --variant=minbase --include=python3,python3-venv,passwd,ca-certificates \
    bookworm "$work/rootfs.tar" "$MIRROR"
podman import --change 'CMD ["python3"]' --change 'ENV LANG=C.UTF-8' \
    "$work/rootfs.tar" "$TAG"
podman run --runtime runc --rm --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$TAG" python3 -c \
    'import sys, venv; assert sys.version_info[:2] == (3, 11), sys.version; print(sys.version)'
