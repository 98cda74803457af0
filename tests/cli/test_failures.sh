#!/usr/bin/env bash
# Runtime failures mid-run: a file-size limit (what a full disk looks like
# to a writer: write() fails part-way through a file) must end with exit 1,
# a message naming the file and the cause, no file under a final name that
# is incomplete, and no temporary file left behind.
set -u
: "${DSG_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# 2 MB per file: the customers and product files fit, order files do not.
(
    trap '' XFSZ # write() then fails with EFBIG instead of killing the process
    ulimit -f 2000
    "$DSG_BIN" generate ecommerce --output "$tmp/out" --n-customers 20000 --n-products 500 \
        --orders-per-day 60000 --start 2024-01-01 --end 2024-01-03 --file-rows-target 1000000 \
        --compression none --threads 2 --quiet 2>"$tmp/err"
)
rc=$?
[ "$rc" -eq 1 ] && ok "file-size limit: exit 1" || bad "file-size limit: exit $rc, expected 1"
msg=$(cat "$tmp/err")
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "one line on stderr: $msg" || bad "stderr: $msg"
case "$msg" in
    *"$tmp/out/"*parquet*) ok "the message names the file" ;;
    *) bad "the message does not name the file" ;;
esac
case "$msg" in
    *"too large"*) ok "the message gives the cause" ;;
    *) bad "the message does not give the cause" ;;
esac
leftovers=$(find "$tmp/out" -name '.*tmp*' | wc -l)
[ "$leftovers" -eq 0 ] && ok "no temporary files left" || bad "$leftovers temporary files left"
# every file under a final name is complete: DuckDB's reader is not needed,
# a complete Parquet file ends with its footer length and PAR1
incomplete=0
while IFS= read -r -d '' f; do
    [ "$(tail -c 4 "$f")" = PAR1 ] || incomplete=$((incomplete + 1))
done < <(find "$tmp/out" -name '*.parquet' -print0)
[ "$incomplete" -eq 0 ] && ok "no incomplete file under a final name" || bad "$incomplete incomplete files"
failed_file=$(sed -n 's/^.*cannot write \(.*\.parquet\):.*$/\1/p' "$tmp/err")
[ -n "$failed_file" ] && [ ! -e "$failed_file" ] && ok "the failed file does not exist" || bad "the failed file exists: $failed_file"

echo "failures: $fails failed"
[ "$fails" -eq 0 ]
