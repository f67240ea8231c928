#!/usr/bin/env bash
# Regenerates a committed format fixture: a small vault made by this release, with its
# passphrase and recovery key beside it. Every later release must open it (docs/FORMAT.md §13).
set -euo pipefail
bin=$(realpath "$1"); out=$2
[ -e "$out" ] && { echo "make-fixture: $out exists; remove it first (fixtures are never silently replaced)" >&2; exit 1; }
mkdir -p "$out"
printf 'fixture passphrase v1\n' > "$out/passphrase.txt"
"$bin" init --vault "$out/vault" --passphrase-file "$out/passphrase.txt" --kdf test --label "fixture" \
  --recovery-key-out "$out/recovery-key.txt" >/dev/null
# git keeps no empty directories; a .keep file would be a stray, so the vault recreates them instead.
"$bin" info --vault "$out/vault" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["vaultID"])' > "$out/vault-id.txt"
# The records (a client key, a client index object, a two-chunk object) are added through the
# library by the fixture-maker test, so every layer of the format is pinned by committed bytes.
VAULT_MAKE_FIXTURE=$(realpath "$out") swift test --filter FixtureMaker >/dev/null
test -f "$out/manifest.json" || { echo "make-fixture: the fixture maker did not run" >&2; exit 1; }
echo "made $out"
