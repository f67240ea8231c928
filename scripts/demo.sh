#!/usr/bin/env bash
# make demo: the workflows that exist so far (vault, clients, notes, log), end to end, on a throwaway vault.
# Each command is printed before it runs, with its output and exit status.
set -euo pipefail
VAULT_BIN=$(realpath "${1:-.build/debug/vault}")
scripts=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vault-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
expect() {
  # expect CODE ARGS...: like run, but the demo fails if the exit status is not CODE.
  local want=$1; shift
  printf '$ vault'; printf ' %q' "$@"; printf '\n'
  set +e; "$VAULT_BIN" "$@"; local rc=$?; set -e
  printf '(exit %d)\n' "$rc"
  [ "$rc" = "$want" ] || { echo "demo: expected exit $want, got $rc" >&2; exit 1; }
}

export VAULT_DIR="$work/practice-vault"
# A demo passphrase in a private file: real use would type it at the prompt.
umask 077
printf 'demo passphrase for a throwaway vault\n' > passphrase
export VAULT_PASSPHRASE_FILE="$work/passphrase"

step "Create a vault (cheap --kdf test for the demo; the default is Argon2id MODERATE)"
expect 0 init --kdf test --label "Dr. Demo" --recovery-key-out "$work/recovery-key.txt"
echo "recovery key file: $(wc -c < recovery-key.txt) bytes, mode $(stat -c %a recovery-key.txt)"

step "What is on disk: random ids and hashes only, private modes"
find "$VAULT_DIR" -printf '%M %6s %P\n' | sort -k3

step "Show the vault (no passphrase needed)"
expect 0 info

step "Check everything, with the passphrase (decrypts and authenticates)"
expect 0 verify

step "Keyless check for unattended jobs, as JSON"
expect 0 verify --keyless --json

step "Clients: each gets a random code; details come from options (or prompts in a terminal)"
expect 0 client add --legal-name "María García" --preferred-name Mia --dob 1990-04-01 --field insurance="Acme 123"
expect 0 client add --legal-name "Mark Twain" --start-date 2026-01-05
code=$("$VAULT_BIN" client list --json | python3 -c 'import json,sys; print([c["code"] for c in json.load(sys.stdin) if c["legalName"].startswith("Mar\u00eda")][0])')
expect 0 client list

step "After a session: a note from a file, one piped in, one written in \$EDITOR (a script here)"
printf 'Discussed sleep hygiene; client reports fewer night wakings.\nHomework: sleep diary.\n' > session1.md
expect 0 add-note "$code" --file session1.md --duration 50m
printf 'Phone call: rescheduled to Thursday.\n' | expect 0 add-note mia --kind contact
printf '#!/bin/sh\nprintf "Subjective:\\nSleep better, work stress.\\n\\nPlan:\\nContinue diary.\\n" > "$1"\n' > editor.sh
chmod +x editor.sh
mkdir -p -m 700 /dev/shm/vault-demo-$$ && export XDG_RUNTIME_DIR=/dev/shm/vault-demo-$$
VISUAL="$work/editor.sh" expect 0 add-note garc --template soap --edit
echo "left in the editor's directory: $(ls -A "$XDG_RUNTIME_DIR" | wc -l) file(s)"; rmdir "$XDG_RUNTIME_DIR"
step "An ambiguous name is refused, listing the candidates' codes (exit 1)"
expect 1 add-note mar --file session1.md

step "Sign; a signed note cannot be edited (exit 1), only amended"
expect 0 note sign "$code.1"
expect 1 note edit "$code.1" --file session1.md
printf 'Correction: the session lasted 45 minutes.\n' | expect 0 note amend "$code.1" --reason "wrong duration"
expect 0 note list mia
expect 0 note show "$code.1"
expect 0 search SLEEP

step "The practice's letterhead (set once), then a note and a client summary as pages to print"
expect 0 practice set --name "Riverside Counseling" --address "12 Main Street" --address "Springfield, IL 62701" \
  --contact "(217) 555-0100" --contact "office@riverside.example" --time-zone America/Chicago
expect 0 note print "$code.1" --out "$work/note.html"
expect 0 client summary mia --out "$work/summary.html"
grep -o '<div class="practice">[^<]*</div>' "$work/note.html"

step "Update the details (a new version) and see the history; discharge closes the record"
expect 0 client update mia --phone "+1 555 0100" --field insurance=
expect 0 client show mia --history
expect 0 client discharge mark --reason "moved away"
expect 1 add-note mark --file session1.md
expect 0 client list --all
expect 0 log show --client "$code"

step "Consents: register the practice's form, store signed documents, check what is missing (exit 5)"
printf '%%PDF-1.7 blank informed consent form\n' > form.pdf
printf '%%PDF-1.7 informed consent signed by the client\n' > signed.pdf
printf '%%PDF-1.7 release of information to Dr. Lee\n' > roi.pdf
expect 0 form add --kind informed-consent --version 2026-01 --file form.pdf
expect 5 consent check
expect 0 consent add mia --kind informed-consent --file signed.pdf --signed today --form-version 2026-01
expect 0 consent add mia --kind release-of-information --file roi.pdf --signed today --expires 2027-12-31 \
  --recipient "Dr. Lee, City Clinic" --information "dates of service" --purpose "coordination of care"
expect 0 consent list mia
expect 0 consent check
expect 0 consent get "$code.C1" --out "$work/extracted.pdf"
cmp signed.pdf extracted.pdf && echo "extracted copy is identical to the original"

step "Disclosures: checked against the release; the accounting lists them (HIPAA 164.528)"
expect 0 disclose mia --to "Dr. Lee, City Clinic" --what "dates of service" --purpose "coordination of care" \
  --basis authorization --authorization "$code.C2"
expect 1 disclose mia --to "Dr. Smith" --what "dates of service" --purpose "coordination of care" \
  --basis authorization --authorization "$code.C2"
expect 0 disclose mia --to "County CPS" --what "report of suspected abuse" --purpose "mandated report" \
  --basis mandated-report --reason "disclosure made in session"
expect 0 consent revoke "$code.C2" --reason "client withdrew the release"
expect 1 disclose mia --to "Dr. Lee, City Clinic" --what "dates of service" --purpose "coordination of care" \
  --basis authorization --authorization "$code.C2"
expect 0 disclosures mia

step "A client asks for their record: export it encrypted with age, open it as the client would"
expect 0 export request mia --note "asked by e-mail"
expect 0 export pending
age-keygen -o client-age-key 2>/dev/null
expect 1 export mia --out mia-record.age --recipient "$(age-keygen -y client-age-key)"
expect 0 export mia --out mia-record.age --recipient "$(age-keygen -y client-age-key)" --identity-verified "photo ID in person"
expect 0 export pending
echo "$ age -d -i client-age-key -o mia-record.zip mia-record.age && unzip -q mia-record.zip -d mia-record && sha256sum -c mia-record/manifest.sha256"
age -d -i client-age-key -o mia-record.zip mia-record.age
unzip -q mia-record.zip -d mia-record
(cd mia-record && sha256sum -c manifest.sha256)
expect 0 export open mia-record.age --identity client-age-key --out checked.zip

step "The same record as one web page: the client opens it in any browser, offline, with the passphrase"
printf 'open my demo record\n' > record-passphrase
expect 0 export mia --out mia-record.html --export-passphrase-file record-passphrase --identity-verified "photo ID in person"
if command -v chromium >/dev/null; then
  echo "$ python3 scripts/browser-check.py mia-record.html --passphrase-file record-passphrase   (headless Chromium types it)"
  python3 "$scripts/browser-check.py" mia-record.html --passphrase-file record-passphrase --screenshot mia-record.png |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("page:", r["state"], "| documents:", ", ".join(r["documents"]), "| script from the record ran:", r["scriptRan"]); print(r["recordText"][:300])'
fi
kept="${DEMO_OUT:-${TMPDIR:-/tmp}}/vault-demo-mia-record.html"
cp mia-record.html "$kept"
echo "Kept after the demo: open file://$kept in a browser and type: open my demo record"

step "Nightly backup: no passphrase, only new objects copied; verify, prune, restore"
(unset VAULT_PASSPHRASE_FILE; expect 0 backup --to "$work/backup")
printf 'One more session.\n' | expect 0 add-note mia
(unset VAULT_PASSPHRASE_FILE; expect 0 backup --to "$work/backup")
expect 0 backup list --to "$work/backup"
expect 0 backup verify --to "$work/backup"
expect 0 backup prune --to "$work/backup" --keep-daily 1 --dry-run
expect 0 restore --from "$work/backup" --to "$work/restored-vault"
expect 0 verify --vault "$work/restored-vault"
expect 0 log verify --against "$work/backup"

step "A wrong passphrase is refused with exit 3"
printf 'not the passphrase at all\n' > wrong
expect 3 verify --passphrase-file "$work/wrong"

step "Change the passphrase: one key slot is rewrapped, nothing else changes"
printf 'a new demo passphrase\n' > new-passphrase
expect 0 passwd --new-passphrase-file "$work/new-passphrase"
expect 3 verify
export VAULT_PASSPHRASE_FILE="$work/new-passphrase"
expect 0 verify

step "Forgot the passphrase? The recovery key still unlocks"
expect 0 verify --recovery-key-file "$work/recovery-key.txt"

step "A practice: two clinicians and an auditor, each with their own passphrase and key"
printf 'dana demo passphrase\n' > dana.pass; printf 'lee demo passphrase\n' > lee.pass; printf 'audit demo passphrase\n' > audit.pass
expect 0 practitioner add dana --role clinician --kdf test --new-passphrase-file "$work/dana.pass"
expect 0 practitioner add lee --role clinician --kdf test --new-passphrase-file "$work/lee.pass"
expect 0 practitioner add audit --role auditor --kdf test --new-passphrase-file "$work/audit.pass"
expect 0 client assign "$code" --to dana
expect 0 client add --legal-name "Lou Lee" --as lee --passphrase-file "$work/lee.pass"
expect 0 practitioner list

step "Dana unlocks once (kernel keyring, automatic logoff); her commands then ask for nothing"
expect 0 unlock --as dana --passphrase-file "$work/dana.pass" --timeout 10m --idle 5m
expect 0 status
expect 0 client list
printf 'Follow-up: sleep diary reviewed.\n' > session2.md
expect 0 add-note "$code" --file session2.md
lou=$("$VAULT_BIN" client list --json --as lee --passphrase-file "$work/lee.pass" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["code"])')
step "Lee's client is not Dana's: refused, and her key could not open it anyway (exit 6)"
expect 6 note list "$lou"
expect 0 lock

step "The auditor reads the log and the accounting, never a note (exit 6)"
expect 0 log show --as audit --passphrase-file "$work/audit.pass" --practitioner dana
expect 0 disclosures "$code" --as audit --passphrase-file "$work/audit.pass"
expect 6 note show "$code.1" --as audit --passphrase-file "$work/audit.pass"

step "Emergency access: the owner gives Dana Lee's client, with a reason; flagged in the log"
expect 0 emergency "$lou" --to dana --reason "Lee on leave; client called in crisis"
expect 0 log show --flagged

step "The access log: every command above left an entry (who, what, when, why)"
expect 0 verify --reason "demo: monthly check"
expect 0 log show
expect 0 log head
expect 0 log verify

step "Deleting an entry from the log is detected and named (exit 10), in a copy of the vault"
cp -a "$VAULT_DIR" "$work/log-tampered"
python3 - "$work/log-tampered/log/entries" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
records, offset = [], 8
while offset < len(data):
    size = int.from_bytes(data[offset:offset + 4], "little") + 48
    records.append(data[offset:offset + size]); offset += size
del records[2]
open(sys.argv[1], "wb").write(data[:8] + b"".join(records))
PY
expect 10 log verify --vault "$work/log-tampered"

step "Tampering is detected: flip one bit of the index in a copy of the vault (exit 10)"
cp -a "$VAULT_DIR" "$work/tampered"
printf '\x01' | dd of="$work/tampered/index" bs=1 seek=40 conv=notrunc status=none
expect 10 verify --vault "$work/tampered"

step "Done: the throwaway vault is removed"
