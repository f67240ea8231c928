#!/usr/bin/env bash
# Resource bounds (issue 12, evidence 6): for every file kind a vault and a backup repository
# hold, make the file as large as its reader accepts (or a hostile sparse giant where the format
# sets no limit), then measure the peak RSS and wall time of the commands that verify it.
#
#   scripts/bounds.sh [path/to/vault]      (default .build/debug/vault; `make bounds` uses release)
#
# Environment: BOUNDS_OUT (the Markdown table, default /tmp/vault-bounds.md), LOG_ENTRIES (genuine
# entries appended by vault-bench for the large real log, default 5400000: about 1 GiB), BIG (the sparse/large
# size, default 1G), BOUNDS_TMP (scratch directory parent, default /tmp).
# A row is flagged FINDING when its peak RSS is >= 64 MiB or it takes more than 30 s.
set -uo pipefail

bin=$(realpath "${1:-.build/debug/vault}")
bench=$(dirname "$bin")/vault-bench
out=${BOUNDS_OUT:-/tmp/vault-bounds.md}
LOG_ENTRIES=${LOG_ENTRIES:-5400000}
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
largest() { find "$1" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-; }
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
fresh() { n=$((n + 1)); d=$work/v$n; cp -a "$template" "$d"; }  # sets d

# The three verifying commands on a vault.
vault_rows() { # KIND LARGEST TESTED DIR
  measure "$1" "$2" "$3" "verify --keyless" -- "$bin" verify --keyless --vault "$4"
  measure "$1" "$2" "$3" "verify" -- "$bin" verify --vault "$4" --passphrase-file "$pass"
  measure "$1" "$2" "$3" "log verify" -- "$bin" log verify --vault "$4" --passphrase-file "$pass"
}

# Small files with a read limit (4096 bytes; 8192 for client key files, FORMAT.md §8.1): padded
# to the limit (damaged but read) and one over.
for kind in config slot clientkey; do
  limit=4096; [ "$kind" = clientkey ] && limit=8192
  for size in "$limit" $((limit + 1)); do
    fresh
    # every key slot (passphrase and recovery) is padded, so unlocking cannot avoid reading one
    case $kind in
      config) truncate -s "$size" "$d/config" ;;
      slot) for f in "$d"/slots/*; do truncate -s "$size" "$f"; done ;;
      clientkey) for f in "$d"/clientkeys/*; do truncate -s "$size" "$f"; done ;;
    esac
    vault_rows "$kind" "$(human "$limit")" "$(human "$size")" "$d"
  done
done

# The index: VaultIndex.maximumFileSize = 8 + 24 + 20 + 65536*80 + 16 + 32 (revision 1, the
# larger), and one byte over.
index_max=$((8 + 24 + 20 + 65536 * 80 + 16 + 32))
for size in "$index_max" $((index_max + 1)); do
  fresh
  truncate -s "$size" "$d/index"
  vault_rows index "$(human "$index_max")" "$(human "$size") sparse" "$d"
done

# The access log: no size limit in the format, so hostile sparse giants of each file.
for f in entries checkpoints; do
  fresh
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
fresh
truncate -s "$BIG" "$work/consent.pdf"
measure "object (document)" "no limit (document)" "$(human "$(bytes "$work/consent.pdf")") plaintext" "consent add" -- \
  "$bin" consent add "$code" --kind informed-consent --file "$work/consent.pdf" --signed today --vault "$d" --passphrase-file "$pass"
big_object=$(largest "$d/objects")
[ "$(bytes "$big_object")" -gt "$(bytes "$work/consent.pdf")" ] || { echo "bounds: the consent document object was not found" >&2; cat "$work/out" >&2; exit 1; }
vault_rows "object (document)" "no limit (document)" "$(human "$(bytes "$big_object")")" "$d"
objvault=$d

# Backup repository: a backup of the vault holding the big object (its copy), then the snapshot
# manifest padded to Snapshot.maximumFileSize (32 MiB) and one over, then a BIG log/entries blob.
repo=$work/repo-object
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup --to" -- \
  "$bin" backup --to "$repo" --vault "$objvault"
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup verify" -- \
  "$bin" backup verify --to "$repo"
measure "backup: object copy" "no limit (document)" "$(human "$(bytes "$big_object")")" "backup verify --full" -- \
  "$bin" backup verify --full --to "$repo" --passphrase-file "$pass"

manifest_max=$((32 << 20))
for size in "$manifest_max" $((manifest_max + 1)); do
  r=$work/repo-manifest-$size
  "$bin" backup --to "$r" --vault "$template" > /dev/null || exit 1
  m=$(ls "$r"/snapshots/* | head -n 1)
  truncate -s "$size" "$m"
  measure "backup: snapshot manifest" "$(human "$manifest_max")" "$(human "$size") sparse" "backup verify" -- "$bin" backup verify --to "$r"
done

# A well-formed hostile manifest at the limit: the checksum is an unkeyed BLAKE2b-256, so anyone
# can write one. Its "objects" list is filled with random ids (none present) up to exactly 32 MiB.
r=$work/repo-manifest-forged
"$bin" backup --to "$r" --vault "$template" > /dev/null || exit 1
m=$(ls "$r"/snapshots/* | head -n 1)
python3 - "$m" "$manifest_max" <<'PY' || exit 1
import hashlib, json, os, sys
path, size = sys.argv[1], int(sys.argv[2])
raw = open(path, "rb").read()
header, body = raw[:8], json.loads(raw[8:-32])
idlen = len(body["objects"][0]) if body["objects"] else 32
room = size - 8 - 32 - len(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
body["objects"] += [os.urandom(idlen // 2).hex() for _ in range(room // (idlen + 3))]
text = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
text += b" " * (size - 8 - 32 - len(text))
content = header + text
open(path, "wb").write(content + hashlib.blake2b(content, digest_size=32).digest())
print(len(body["objects"]), file=open(path + ".count", "w"))
PY
count=$(cat "$m.count"); rm "$m.count"
measure "backup: snapshot manifest" "$(human "$manifest_max")" "$(human "$(bytes "$m")") well-formed, $(printf "%'d" "$count") object ids" "backup verify" -- \
  "$bin" backup verify --to "$r"

# A blob: back up a vault whose log/entries is a BIG sparse file. The backup itself refuses a
# damaged log, so if it does the blob of a clean backup is replaced by a sparse giant instead.
fresh
r=$work/repo-blob
"$bin" backup --to "$r" --vault "$d" > /dev/null || exit 1
cp "$d/log/entries" "$work/entries.clean"
truncate -s "$BIG" "$d/log/entries"
measure "backup: blob (log/entries)" "no limit" "$(human "$(bytes "$d/log/entries")") sparse" "backup --to" -- \
  "$bin" backup --to "$r" --vault "$d"
big_blob=$(largest "$r/files")
how="backed up"
if [ "$(bytes "$big_blob")" -lt "$(bytes "$d/log/entries")" ]; then
  big_blob=""
  # The backup refused the damaged log: grow the clean snapshot's blob of log/entries in place.
  for b in $(find "$r/files" -type f); do cmp -s "$b" "$work/entries.clean" && big_blob=$b; done
  # (if the log grew after its snapshot was taken, the largest blob is the entries file)
  [ -n "$big_blob" ] || big_blob=$(largest "$r/files")
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
