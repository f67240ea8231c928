#!/usr/bin/env bash
# Resource bounds (issue 12, evidence 6): for every file kind a vault and a backup repository
# hold, make the file as large as its reader accepts (or a hostile sparse giant where the format
# sets no limit), then measure the peak RSS and wall time of the commands that verify it.
#
#   scripts/bounds.sh [path/to/vault]      (default .build/debug/vault; `make bounds` uses release)
#
# Environment: BOUNDS_OUT (the Markdown table, default /tmp/vault-bounds.md), LOG_ENTRIES (genuine
# entries appended by vault-bench for the large real log, default 1000000), BIG (the sparse/large
# size, default 1G), BOUNDS_TMP (scratch directory parent, default /tmp).
# A row is flagged FINDING when its peak RSS is >= 64 MiB or it takes more than 30 s.
set -uo pipefail

bin=$(realpath "${1:-.build/debug/vault}")
bench=$(dirname "$bin")/vault-bench
out=${BOUNDS_OUT:-/tmp/vault-bounds.md}
LOG_ENTRIES=${LOG_ENTRIES:-1000000}
BIG=${BIG:-1G}
[ -x "$bin" ] || { echo "bounds: no vault binary at $bin" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bounds: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${BOUNDS_TMP:-/tmp}/vault-bounds.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=$work/passphrase
printf 'bounds passphrase\n' > "$pass"
rows=$work/rows
: > "$rows"
findings=0

bytes() { stat -c %s "$1"; }
human() { # bytes -> "N (x MiB)" style
  python3 -c 'import sys; n=int(sys.argv[1]); print(f"{n:,}" + (f" ({n/2**20:.0f} MiB)" if n >= 2**20 else ""))' "$1"
}

# measure KIND LARGEST TESTED LABEL -- command...: runs it under /usr/bin/time, appends a row.
measure() {
  local kind=$1 largest=$2 tested=$3 label=$4; shift 5
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" > "$work/out" 2>&1
  local rc=$?
  local t kib
  read -r t kib < <(tail -n 1 "$work/time")
  local mib
  mib=$(python3 -c "print(f'{$kib/1024:.1f}')")
  local flag=""
  if python3 -c "import sys; sys.exit(0 if $kib >= 65536 or $t > 30 else 1)"; then
    flag=" **FINDING**"; findings=$((findings + 1))
    { echo "FINDING: $kind, $label: rss ${mib} MiB, ${t} s, exit $rc"; sed 's/^/  | /' "$work/out" | head -n 5; } >&2
  fi
  printf '| %s | %s | %s | `%s` | %s | %s%s | %s |\n' "$kind" "$largest" "$tested" "$label" "$rc" "$mib" "$flag" "$t" >> "$rows"
}

# A small vault with one client, a signed note and a consent document; echoes the client code.
make_vault() {
  local d=$1 code
  "$bin" init --vault "$d" --passphrase-file "$pass" --kdf test --recovery-key-out "$d.recovery" > /dev/null || exit 1
  code=$("$bin" client add --vault "$d" --passphrase-file "$pass" --legal-name 'Ann Lee' --dob 1990-01-01 --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("code") or d.get("client",{}).get("code"))')
  printf 'session note\n' > "$work/note.txt"
  "$bin" add-note "$code" --file "$work/note.txt" --vault "$d" --passphrase-file "$pass" > /dev/null || exit 1
  "$bin" note sign "$code.1" --vault "$d" --passphrase-file "$pass" > /dev/null || exit 1
  echo "$code"
}

template=$work/template
code=$(make_vault "$template") || { echo "bounds: cannot make a vault" >&2; exit 1; }
n=0
fresh() { n=$((n + 1)); cp -a "$template" "$work/v$n"; echo "$work/v$n"; }

# The three verifying commands on a vault.
vault_rows() { # KIND LARGEST TESTED DIR
  measure "$1" "$2" "$3" "verify --keyless" -- "$bin" verify --keyless --vault "$4"
  measure "$1" "$2" "$3" "verify" -- "$bin" verify --vault "$4" --passphrase-file "$pass"
  measure "$1" "$2" "$3" "log verify" -- "$bin" log verify --vault "$4" --passphrase-file "$pass"
}

# Small files with a 4096-byte read limit: padded to the limit (damaged but read) and one over.
for kind in config slot clientkey; do
  for size in 4096 4097; do
    d=$(fresh)
    case $kind in
      config) f=$d/config ;;
      slot) f=$(ls "$d"/slots/* | head -n 1) ;;
      clientkey) f=$(ls "$d"/clientkeys/* | head -n 1) ;;
    esac
    truncate -s "$size" "$f"
    vault_rows "$kind" "4,096" "$(human "$size")" "$d"
  done
done

# The index: VaultIndex.maximumFileSize = 8 + 24 + 12 + 65536*48 + 16 + 32, and one byte over.
index_max=$((8 + 24 + 12 + 65536 * 48 + 16 + 32))
for size in "$index_max" $((index_max + 1)); do
  d=$(fresh)
  truncate -s "$size" "$d/index"
  vault_rows index "$(human "$index_max")" "$(human "$size") sparse" "$d"
done

# The access log: no size limit in the format, so hostile sparse giants of each file.
for f in entries checkpoints; do
  d=$(fresh)
  truncate -s "$BIG" "$d/log/$f"
  vault_rows "log/$f" "no limit" "$(human "$(bytes "$d/log/$f")") sparse" "$d"
done

# A genuine large log: vault-bench appends LOG_ENTRIES real entries (and a few hundred more
# timing single appends) to a fresh vault made with passphrase "benchmark passphrase".
if [ -x "$bench" ]; then
  mkdir -p "$work/biglog"
  "$bench" log --entries "$LOG_ENTRIES" --samples 10 --dir "$work/biglog" > "$work/biglog.json" || exit 1
  entries=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"])' "$work/biglog.json")
  printf 'benchmark passphrase' > "$work/bench-passphrase"
  d=$work/biglog/vault
  tested="$(human "$(bytes "$d/log/entries")") ($(printf "%'d" "$entries") entries)"
  measure log/entries "no limit" "$tested" "verify --keyless" -- "$bin" verify --keyless --vault "$d"
  measure log/entries "no limit" "$tested" "verify" -- "$bin" verify --vault "$d" --passphrase-file "$work/bench-passphrase"
  measure log/entries "no limit" "$tested" "log verify" -- "$bin" log verify --vault "$d" --passphrase-file "$work/bench-passphrase"
  measure log/checkpoints "no limit" "$(human "$(bytes "$d/log/checkpoints")") (same log)" "log verify" -- "$bin" log verify --vault "$d" --passphrase-file "$work/bench-passphrase"
else
  echo "bounds: $bench not found, skipping the genuine large log" >&2
fi

# An object: a BIG consent document (sparse input), written then verified (keyed verify decrypts it).
d=$(fresh)
truncate -s "$BIG" "$work/consent.pdf"
measure "object (document)" "no limit (document)" "$(human "$(bytes "$work/consent.pdf")") plaintext" "consent add" -- \
  "$bin" consent add "$code" --kind informed-consent --file "$work/consent.pdf" --signed today --vault "$d" --passphrase-file "$pass"
big_object=$(find "$d/objects" -type f -size +100M | head -n 1)
[ -n "$big_object" ] || { echo "bounds: the consent document object was not found" >&2; exit 1; }
vault_rows "object (document)" "no limit (document)" "$(human "$(bytes "$big_object")")" "$d"
objvault=$d

# Backup repository: a backup of the vault holding the big object (its copy), then the snapshot
# manifest padded to Snapshot.maximumFileSize (32 MiB) and one over, then a BIG log/entries blob.
repo=$work/repo-object
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup --to" -- \
  "$bin" backup --to "$repo" --vault "$objvault" --passphrase-file "$pass"
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup verify" -- \
  "$bin" backup verify --to "$repo"
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup verify --full" -- \
  "$bin" backup verify --full --to "$repo" --passphrase-file "$pass"

manifest_max=$((32 << 20))
for size in "$manifest_max" $((manifest_max + 1)); do
  r=$work/repo-manifest-$size
  "$bin" backup --to "$r" --vault "$template" --passphrase-file "$pass" > /dev/null || exit 1
  m=$(ls "$r"/snapshots/* | head -n 1)
  truncate -s "$size" "$m"
  measure "backup: snapshot manifest" "$(human "$manifest_max")" "$(human "$size") sparse" "backup verify" -- "$bin" backup verify --to "$r"
done

# A blob: back up a vault whose log/entries is a BIG sparse file. The backup itself refuses a
# damaged log, so if it does the blob of a clean backup is replaced by a sparse giant instead.
d=$(fresh)
r=$work/repo-blob
"$bin" backup --to "$r" --vault "$d" --passphrase-file "$pass" > /dev/null || exit 1
cp "$d/log/entries" "$work/entries.clean"
truncate -s "$BIG" "$d/log/entries"
measure "backup: blob (log/entries)" "no limit" "$(human "$(bytes "$d/log/entries")") sparse" "backup --to" -- \
  "$bin" backup --to "$r" --vault "$d" --passphrase-file "$pass"
big_blob=$(find "$r/files" -type f -size +100M | head -n 1)
how="backed up"
if [ -z "$big_blob" ]; then
  # The backup refused the damaged log: grow the clean snapshot's blob of log/entries in place.
  for b in $(find "$r/files" -type f); do cmp -s "$b" "$work/entries.clean" && big_blob=$b; done
  # (if the log grew after its snapshot was taken, the largest blob is the entries file)
  [ -n "$big_blob" ] || big_blob=$(find "$r/files" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
  truncate -s "$BIG" "$big_blob"
  how="planted in the clean snapshot's blob"
fi
measure "backup: blob (log/entries)" "no limit" "$(human "$(bytes "$big_blob")") sparse, $how" "backup verify" -- "$bin" backup verify --to "$r"

{
  echo "| file kind | largest accepted size (bytes) | size tested (bytes) | command | exit | peak RSS (MiB) | time (s) |"
  echo "|---|---|---|---|---|---|---|"
  cat "$rows"
} > "$work/table"
cp "$work/table" "$out"
cat "$out"
echo
echo "rows: $(wc -l < "$rows"), findings (peak RSS >= 64 MiB or > 30 s): $findings"
