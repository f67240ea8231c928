#!/usr/bin/env bash
# Regenerates the committed fuzz seed corpora in Tests/Fuzz/corpus (run from the repository root;
# needs a debug build of vault-fuzz: swift build --product vault-fuzz).
# - from the committed v1 fixture vault: its files, and the plaintexts behind its encrypted ones;
# - a handful of the public age test vectors (the copy in Tests/VaultCoreTests/Fixtures/age-vectors),
#   header lines removed;
# - recipient/identity strings (the recipient is `age-keygen -y` of the identity) and document names.
set -euo pipefail
BIN=${BIN:-.build/debug/vault-fuzz}
OUT=${OUT:-Tests/Fuzz/corpus}
VECTORS=${VECTORS:-Tests/VaultCoreTests/Fixtures/age-vectors}
rm -rf "$OUT"
mkdir -p "$OUT"
"$BIN" --seeds "$OUT"

mkdir -p "$OUT/age"
for v in x25519 x25519_multiple_recipients x25519_grease stanza_valid_characters stream_empty_payload \
  stream_bad_tag stream_no_final hmac_bad scrypt stream_two_chunks; do
  python3 - "$VECTORS/$v" "$OUT/age/$v" <<'PY'
import sys, zlib
data = open(sys.argv[1], 'rb').read()
head, _, body = data.partition(b'\n\n')
if b'compressed: zlib' in head:
    body = zlib.decompress(body)
open(sys.argv[2], 'wb').write(body)
PY
done

mkdir -p "$OUT/age-keys"
printf '%s' 'age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef' > "$OUT/age-keys/recipient"
printf '%s' 'AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0' > "$OUT/age-keys/identity"
printf '%s' 'TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc' > "$OUT/age-keys/base64"

mkdir -p "$OUT/zip-name"
printf '%s' 'consent.pdf' > "$OUT/zip-name/plain"
printf '%s' '../../etc/passwd' > "$OUT/zip-name/traversal"
printf 'invoice\xe2\x80\xaefdp.exe' > "$OUT/zip-name/bidi"
printf 'a\nb\r\x1b[31m.pdf' > "$OUT/zip-name/controls"
printf '%s' "$(printf 'x%.0s' $(seq 1 200)).pdf" > "$OUT/zip-name/long"
printf '%s' '. .hidden. ' > "$OUT/zip-name/dots"
echo "fuzz seeds: $(find "$OUT" -type f | wc -l) files in $OUT"
