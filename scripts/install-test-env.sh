#!/usr/bin/env bash
# Installs the test-only environment that tests/python needs, idempotently
# and cached: a Python virtual environment with the readers pinned in
# tests/python/requirements.txt, and the Spark jars (Delta, Iceberg, JDBC
# drivers) from Maven Central. Nothing here is a runtime dependency.
#
#   DSG_TESTENV   where to put it (default: build/testenv); the venv is
#                 $DSG_TESTENV/venv, the jars $DSG_TESTENV/jars
#
# Each part is redone only when its pinned list changed (a stamp file holds
# the list's hash).
set -euo pipefail
cd "$(dirname "$0")/.."
env_dir=${DSG_TESTENV:-$PWD/build/testenv}
mkdir -p "$env_dir"
req=tests/python/requirements.txt
jars_list=tests/python/jars.txt

stamp_ok() { # stamp-file input-file
    [ -f "$1" ] && [ "$(cat "$1")" = "$(sha256sum "$2" | cut -d' ' -f1)" ]
}

if ! stamp_ok "$env_dir/venv.stamp" "$req"; then
    echo "installing the test-only Python readers into $env_dir/venv" >&2
    [ -x "$env_dir/venv/bin/python" ] || python3 -m venv "$env_dir/venv"
    "$env_dir/venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    sha256sum "$req" | cut -d' ' -f1 > "$env_dir/venv.stamp"
fi

if ! stamp_ok "$env_dir/jars.stamp" "$jars_list"; then
    echo "fetching the Spark test jars into $env_dir/jars" >&2
    mkdir -p "$env_dir/jars"
    grep -v '^#' "$jars_list" | while read -r gav; do
        [ -n "$gav" ] || continue
        mvn -q -B dependency:copy -Dartifact="$gav" -DoutputDirectory="$env_dir/jars" \
            -Dmdep.overWriteIfNewer=true
    done
    sha256sum "$jars_list" | cut -d' ' -f1 > "$env_dir/jars.stamp"
fi
