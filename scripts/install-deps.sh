#!/usr/bin/env bash
# Installs the Debian packages that building dataset-generator needs, if any
# is missing. Runs apt-get through sudo when not root.
set -euo pipefail
# With --test: also what the test suite needs (Node.js and npm for the
# independent readers, GNU time, clang and its libFuzzer runtime, PostgreSQL
# as a catalog server the tests start, Java and Maven for Spark).
pkgs="build-essential pkg-config git libsnappy-dev libzstd-dev libdeflate-dev libbrotli-dev liblz4-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libpq-dev libjansson-dev zlib1g-dev"
if [ "${1:-}" = --test ]; then
    pkgs="$pkgs time clang libclang-rt-14-dev postgresql-15 python3-venv maven default-jre-headless"
    command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
fi
missing=""
for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing:$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
