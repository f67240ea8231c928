#!/usr/bin/env python3
"""Crash torture for vault: SIGKILL a mixed workload at random instants and check what survives.

Usage: python3 scripts/torture.py .build/debug/vault [--kills 1000] [--seed N] [--episode-kills 50]

Workload (each command run with --file / --json, unlocking with a `--kdf test` passphrase file):
add-note, note sign, note amend, client update, client add, consent add (2-8 MiB random files),
disclose, export (to an age recipient), backup --to REPO, backup prune, restore.

Each iteration picks a command, starts it, waits a random delay in [0, its typical duration]
(the median of its recent uninterrupted runs, measured first) and sends SIGKILL. A command that
exited 0 before the kill is *acknowledged*: what it wrote is recorded and must be present from then
on. After EACH kill:
  - `vault verify` (keyed), `vault log verify` and `vault backup verify` must exit 0 (warnings,
    e.g. an unsigned log tail, are recorded and counted, not failures);
  - every acknowledged write is checked: the lists (client list, note list, consent list,
    disclosures, backup list, client show) for every one, and the contents (note text hash via
    `note show --json`, addenda, consent documents via `consent get`, exports decrypted with age)
    for every write acknowledged since the last check plus a random sample of older ones (all of
    them at the end of each episode);
  - then the same kind of command is run again without a kill (the "next command"), and no stray
    may survive it: nothing in the vault's tmp/, no object keyed verify reports as not
    referenced, nothing in the backup repository's tmp/, no pack that no index
    names, no export file without its recorded disclosure, no hidden staging directory beside
    the vault, the repository or a restore target.
The vault is recreated every --episode-kills kills (so verifying stays cheap) and after any
corruption. Prints `kills: N, acknowledged writes lost: L, corrupt vaults: C` and the strays
seen after the next command. Exit status 0 only if all of those are zero.
Only the standard library is used; `age` (Debian package age) decrypts the exports.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

PASSPHRASE = "torture passphrase for tests only\n"

OPS = {  # name: weight
    "add-note": 4, "note-sign": 2, "note-amend": 2, "client-update": 2, "client-add": 1,
    "consent-add": 2, "disclose": 2, "export": 1, "backup": 2, "backup-prune": 1, "restore": 1,
}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text):
    return hashlib.sha256(text.encode()).hexdigest()


def normalise(message):
    return re.sub(r"\d+", "N", re.sub(r"[0-9a-f]{16,}", "<hex>", message))


class Torture:
    def __init__(self, binary, args):
        self.binary = os.path.abspath(binary)
        self.args = args
        self.rng = random.Random(args.seed)
        self.base = tempfile.mkdtemp(prefix="vault-torture-", dir=args.workdir)
        self.pwfile = os.path.join(self.base, "passphrase")
        with open(self.pwfile, "w") as f:
            f.write(PASSPHRASE)
        os.chmod(self.pwfile, 0o600)
        self.env = dict(os.environ)
        for k in ("VAULT_DIR", "VAULT_PASSPHRASE_COMMAND"):
            self.env.pop(k, None)
        self.env["VAULT_PASSPHRASE_FILE"] = self.pwfile
        self.agekey = os.path.join(self.base, "age.key")
        subprocess.run(["age-keygen", "-o", self.agekey], check=True, capture_output=True)
        with open(self.agekey) as f:
            self.recipient = re.search(r"age1[0-9a-z]+", f.read()).group(0)
        # counters
        self.kills = 0
        self.completed = 0
        self.lost = []            # (kill number, description)
        self.corrupt = []         # (kill number, description)
        self.failures = []        # commands that exited non-zero without being killed
        self.stray_kills = 0
        self.strays = {}          # stray path/description -> kill number first seen
        self.warnings = {}        # normalised warning -> count
        self.durations = {op: [] for op in OPS}
        self.kills_by_op = {op: 0 for op in OPS}
        self.acked_by_op = {op: 0 for op in OPS}
        self.ack_checks = 0
        self.counter = 0
        self.episode = 0

    # ---------- helpers ----------
    def uid(self):
        self.counter += 1
        return "%d-%d" % (self.episode, self.counter)

    def vault_args(self):
        return ["--vault", self.vault]

    @staticmethod
    def fix(argv):
        """--vault DIR is written first for readability; the CLI takes it after the subcommand."""
        if argv[:1] == ["--vault"]:
            return argv[2:] + argv[:2]
        return argv

    def run(self, argv, timeout=600):
        p = subprocess.run([self.binary] + self.fix(argv), env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def run_json(self, argv, what):
        rc, out, err = self.run(argv)
        if rc != 0:
            raise CheckFailed("%s exited %d: %s" % (what, rc, (err or out).strip()[:400]))
        return json.loads(out)

    # ---------- episode ----------
    def new_episode(self):
        self.episode += 1
        self.ep = os.path.join(self.base, "ep%d" % self.episode)
        os.makedirs(self.ep)
        self.vault = os.path.join(self.ep, "vault")
        self.repo = os.path.join(self.ep, "repo")
        self.exports = os.path.join(self.ep, "exports")
        self.restores = os.path.join(self.ep, "restores")
        self.inputs = os.path.join(self.ep, "in")
        for d in (self.exports, self.restores, self.inputs):
            os.makedirs(d)
        rc, out, err = self.run(["init", "--vault", self.vault, "--passphrase-file", self.pwfile,
                                 "--kdf", "test", "--recovery-key-out",
                                 os.path.join(self.ep, "recovery")])
        if rc != 0:
            raise SystemExit("vault init failed: " + err)
        self.acks = []
        self.new_acks = []
        self.phones = {}          # code -> set of values it may have
        self.notes = {}           # id -> note json (latest seen)
        self.clients = []
        self.snapshot_newest = None
        self.export_files = {}    # path -> size (acknowledged)
        self.unacked_exports = {} # path -> client code (killed exports)
        self.docs = []
        for i in range(4):        # a pool of random consent documents, 2-8 MiB
            path = os.path.join(self.inputs, "doc%d.pdf" % i)
            with open(path, "wb") as f:
                f.write(os.urandom(self.rng.randint(2 << 20, 8 << 20)))
            self.docs.append((path, sha256_file(path), os.path.getsize(path)))
        for _ in range(3):
            self.do_uninterrupted("client-add")
        for _ in range(3):
            self.do_uninterrupted("add-note")
        self.do_uninterrupted("backup")
        self.episode_kills = 0

    def end_episode(self, deep=True):
        if deep:
            try:
                self.check_acks(deep_all=True)
            except CheckFailed as e:
                self.corrupt.append((self.kills, "episode %d end: %s" % (self.episode, e)))
        shutil.rmtree(self.ep, ignore_errors=True)

    # ---------- building commands ----------
    def pick_client(self):
        return self.rng.choice(self.clients)

    def build(self, op):
        """Returns (argv, expectation dict) for one command of kind op."""
        u = self.uid()
        va = self.vault_args()
        if op == "note-sign":
            drafts = [n for n, v in self.notes.items() if v.get("status") == "draft"]
            if not drafts:
                op = "add-note"
            else:
                nid = self.rng.choice(drafts)
                return op, va + ["note", "sign", nid, "--json"], {"note": nid}
        if op == "note-amend":
            signed = [n for n, v in self.notes.items() if v.get("status") == "signed"]
            if not signed:
                op = "add-note"
            else:
                nid = self.rng.choice(signed)
                text = "Addendum %s\n%s\n" % (u, "correction " * self.rng.randint(1, 50))
                path = os.path.join(self.inputs, "amend-%s.txt" % u)
                with open(path, "w") as f:
                    f.write(text)
                reason = "reason-" + u
                return op, va + ["note", "amend", nid, "--reason", reason, "--file", path,
                                 "--json"], {"note": nid, "reason": reason, "sha": sha256_text(text)}
        if op == "add-note":
            code = self.pick_client()
            first = "Note %s" % u
            text = first + "\n" + "".join(
                "Line %d of the session, words words words.\n" % i
                for i in range(self.rng.randint(1, 200)))
            path = os.path.join(self.inputs, "note-%s.txt" % u)
            with open(path, "w") as f:
                f.write(text)
            return op, va + ["add-note", code, "--file", path, "--json"], \
                {"client": code, "first": first, "sha": sha256_text(text)}
        if op == "client-update":
            code = self.pick_client()
            phone = "555-" + u
            return op, va + ["client", "update", code, "--phone", phone, "--json"], \
                {"client": code, "phone": phone}
        if op == "client-add":
            name = "Client %s" % u.replace("-", " ")
            return op, va + ["client", "add", "--legal-name", name, "--dob", "1980-02-03",
                             "--json"], {"name": name}
        if op == "consent-add":
            code = self.pick_client()
            path, sha, size = self.rng.choice(self.docs)
            return op, va + ["consent", "add", code, "--kind", "informed-consent", "--file", path,
                             "--signed", "today", "--json"], {"client": code, "sha": sha, "size": size}
        if op == "disclose":
            code = self.pick_client()
            what = "what-" + u
            return op, va + ["disclose", code, "--to", "Dr Test", "--what", what, "--purpose",
                             "care", "--basis", "treatment", "--json"], {"client": code, "what": what}
        if op == "export":
            code = self.pick_client()
            out = os.path.join(self.exports, "export-%s.age" % u)
            return op, va + ["export", code, "--out", out, "--recipient", self.recipient,
                             "--identity-verified", "photo id", "--json"], {"client": code, "out": out}
        if op == "backup":
            return op, va + ["backup", "--to", self.repo, "--json"], {}
        if op == "backup-prune":
            return op, ["backup", "prune", "--to", self.repo, "--keep-daily", "1", "--json"], {}
        if op == "restore":
            target = os.path.join(self.restores, "r-%s" % u)
            return op, ["restore", "--from", self.repo, "--to", target, "--json"], {"target": target}
        raise ValueError(op)

    def snapshot_ids(self):
        if not os.path.exists(os.path.join(self.repo, "vault-backup")):
            return []
        return [s["id"] for s in self.run_json(["backup", "list", "--to", self.repo, "--json"],
                                               "backup list")]

    def before(self, op, exp):
        """State the checks need from before the command."""
        if op == "backup-prune":
            ids = self.snapshot_ids()
            exp["keep"] = max(ids) if ids else None
        if op == "export":
            exp["disclosures_before"] = len(self.disclosures(exp["client"]))

    def disclosures(self, code):
        return self.run_json(self.vault_args() + ["disclosures", code, "--json"], "disclosures")

    # ---------- acknowledging ----------
    def acknowledge(self, op, exp, out):
        self.completed += 1
        self.acked_by_op[op] += 1
        d = json.loads(out) if out.strip() else {}
        ack = None
        if op == "add-note":
            self.notes[d["id"]] = d
            ack = {"kind": "note", "id": d["id"], "first": exp["first"], "sha": exp["sha"]}
        elif op == "note-sign":
            for n in d if isinstance(d, list) else [d]:
                self.notes[n["id"]] = n
            ack = {"kind": "signature", "id": exp["note"]}
        elif op == "note-amend":
            self.notes[d["id"]] = d
            ack = {"kind": "amendment", "id": exp["note"], "reason": exp["reason"], "sha": exp["sha"]}
        elif op == "client-update":
            self.phones[exp["client"]] = {exp["phone"]}
            ack = {"kind": "client-update", "client": exp["client"], "phone": exp["phone"]}
        elif op == "client-add":
            self.clients.append(d["code"])
            ack = {"kind": "client", "client": d["code"]}
        elif op == "consent-add":
            ack = {"kind": "consent", "id": d["id"], "sha": exp["sha"], "size": exp["size"]}
        elif op == "disclose":
            ack = {"kind": "disclosure", "client": exp["client"], "id": d["id"], "what": exp["what"]}
        elif op == "export":
            size = os.path.getsize(exp["out"])
            self.export_files[exp["out"]] = size
            ack = {"kind": "export", "out": exp["out"], "size": size, "client": exp["client"],
                   "disclosure": d["disclosure"]}
        elif op == "backup":
            ack = {"kind": "snapshot", "id": d["snapshot"]}
        elif op == "backup-prune":
            removed = set(d.get("removed", []))
            self.acks = [a for a in self.acks if not (a["kind"] == "snapshot" and a["id"] in removed)]
            self.new_acks = [a for a in self.new_acks
                             if not (a["kind"] == "snapshot" and a["id"] in removed)]
        elif op == "restore":
            ack = {"kind": "restore", "target": exp["target"]}
        if ack:
            self.acks.append(ack)
            self.new_acks.append(ack)

    def note_unacked(self, op, exp):
        """A killed command may or may not have taken effect: widen what may be observed."""
        if op == "client-update":
            # no acknowledged update yet: the phone may still be unset
            self.phones.setdefault(exp["client"], {None}).add(exp["phone"])
        if op == "export":
            self.unacked_exports[exp["out"]] = exp

    # ---------- running one command ----------
    def typical(self, op):
        d = self.durations[op][-7:]
        return statistics.median(d) if d else None

    def do_uninterrupted(self, op):
        op, argv, exp = self.build(op)
        self.before(op, exp)
        t0 = time.monotonic()
        rc, out, err = self.run(argv)
        dt = time.monotonic() - t0
        if rc != 0:
            self.failures.append((self.kills, op, rc, (err or out).strip()[:300]))
            return False
        self.durations[op].append(dt)
        self.acknowledge(op, exp, out)
        return True

    def do_killed(self, op):
        """Runs op and SIGKILLs it after a random delay. True if a kill was delivered."""
        typical = self.typical(op)
        if typical is None:               # measure first
            self.do_uninterrupted(op)
            return False
        op, argv, exp = self.build(op)
        self.before(op, exp)
        delay = self.rng.uniform(0, typical)
        outf = tempfile.TemporaryFile(mode="w+")
        errf = tempfile.TemporaryFile(mode="w+")
        t0 = time.monotonic()
        p = subprocess.Popen([self.binary] + self.fix(argv), env=self.env, stdout=outf, stderr=errf, text=True)
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
        dt = time.monotonic() - t0
        outf.seek(0)
        errf.seek(0)
        out, err = outf.read(), errf.read()
        if p.returncode == -signal.SIGKILL:
            self.kills += 1
            self.episode_kills += 1
            self.kills_by_op[op] += 1
            self.note_unacked(op, exp)
            self.last_exp = exp
            return op
        if p.returncode != 0:
            self.failures.append((self.kills, op, p.returncode, (err or out).strip()[:300]))
            return False
        self.durations[op].append(dt)
        self.acknowledge(op, exp, out)
        return False

    # ---------- checks ----------
    def record_warnings(self, findings, source):
        for f in findings:
            if f.get("severity") == "warning":
                key = "%s: %s: %s" % (source, re.sub(r"/[0-9a-f]{2}/", "/*/", normalise(f.get("path", ""))),
                                      normalise(f.get("message", "")))
                self.warnings[key] = self.warnings.get(key, 0) + 1

    def check_integrity(self):
        problems = []
        rc, out, err = self.run(self.vault_args() + ["verify", "--json"])
        try:
            v = json.loads(out)
            self.record_warnings(v.get("findings", []), "verify")
            errors = [f for f in v.get("findings", []) if f.get("severity") != "warning"]
        except ValueError:
            errors = []
        if rc != 0:
            problems.append("verify exited %d: %s %s" % (rc, errors or out.strip()[:300], err.strip()[:300]))
        rc, out, err = self.run(self.vault_args() + ["log", "verify", "--json"])
        try:
            self.record_warnings(json.loads(out).get("findings", []), "log verify")
        except ValueError:
            pass
        if rc != 0:
            problems.append("log verify exited %d: %s %s" % (rc, out.strip()[:300], err.strip()[:300]))
        if os.path.exists(os.path.join(self.repo, "vault-backup")):
            rc, out, err = self.run(["backup", "verify", "--to", self.repo, "--json"])
            try:
                self.record_warnings(json.loads(out).get("findings", []), "backup verify")
            except ValueError:
                pass
            if rc != 0:
                problems.append("backup verify exited %d: %s %s" % (rc, out.strip()[:300], err.strip()[:300]))
        return problems

    def refresh_model(self):
        clients = self.run_json(self.vault_args() + ["client", "list", "--json"], "client list")
        self.clients = [c["code"] for c in clients]
        notes = self.run_json(self.vault_args() + ["note", "list", "--json"], "note list")
        self.notes = {n["id"]: n for n in notes}
        return clients

    def check_acks(self, deep_all=False):
        """Raises CheckFailed on a vault that cannot be read; appends to self.lost per lost write."""
        lost = []
        clients = self.refresh_model()
        codes = set(self.clients)
        consents = {c["id"]: c for c in self.run_json(self.vault_args() + ["consent", "list", "--json"],
                                                       "consent list")}
        snapshots = set(self.snapshot_ids())
        disclosure_cache = {}
        show_cache = {}

        def note_show(nid):
            if nid not in show_cache:
                rc, out, err = self.run(self.vault_args() + ["note", "show", nid, "--json"])
                show_cache[nid] = json.loads(out) if rc == 0 else None
            return show_cache[nid]

        deep = set(id(a) for a in self.new_acks)
        older = [a for a in self.acks if id(a) not in deep]
        if deep_all:
            deep = set(id(a) for a in self.acks)
        else:
            for a in self.rng.sample(older, min(len(older), self.args.deep_sample)):
                deep.add(id(a))
        amends = {}
        for a in self.acks:
            if a["kind"] == "amendment":
                amends[a["id"]] = amends.get(a["id"], 0) + 1
        for a in self.acks:
            self.ack_checks += 1
            k = a["kind"]
            if k == "client":
                if a["client"] not in codes:
                    lost.append("client %s missing from client list" % a["client"])
            elif k == "note":
                n = self.notes.get(a["id"])
                if n is None:
                    lost.append("note %s missing from note list" % a["id"])
                elif n.get("firstLine") != a["first"]:
                    lost.append("note %s first line %r, expected %r" % (a["id"], n.get("firstLine"), a["first"]))
                elif id(a) in deep:
                    s = note_show(a["id"])
                    if s is None:
                        lost.append("note show %s failed" % a["id"])
                    else:
                        # the text hash of the version it was written with (version 1)
                        if s.get("version") == 1 and sha256_text(s.get("text", "")) != a["sha"]:
                            lost.append("note %s text hash differs" % a["id"])
            elif k == "signature":
                n = self.notes.get(a["id"])
                if n is None or n.get("status") != "signed":
                    lost.append("signature of %s missing (%s)" % (a["id"], n and n.get("status")))
            elif k == "amendment":
                n = self.notes.get(a["id"])
                if n is None or n.get("addenda", 0) < amends[a["id"]]:
                    lost.append("amendment %s of %s missing (addenda %s < %d)" % (
                        a["reason"], a["id"], n and n.get("addenda"), amends[a["id"]]))
                elif id(a) in deep:
                    s = note_show(a["id"])
                    if s is None or not any(x.get("reason") == a["reason"] and
                                            sha256_text(x.get("text", "")) == a["sha"]
                                            for x in s.get("addenda", [])):
                        lost.append("amendment %s of %s not found in note show" % (a["reason"], a["id"]))
            elif k == "client-update":
                pass  # checked per client below
            elif k == "consent":
                c = consents.get(a["id"])
                if c is None:
                    lost.append("consent %s missing from consent list" % a["id"])
                elif c.get("size") != a["size"]:
                    lost.append("consent %s size %s, expected %d" % (a["id"], c.get("size"), a["size"]))
                elif id(a) in deep:
                    out = os.path.join(self.ep, "consent-get.bin")
                    rc, o, e = self.run(self.vault_args() + ["consent", "get", a["id"], "--out", out, "--force"])
                    if rc != 0 or sha256_file(out) != a["sha"]:
                        lost.append("consent %s document: get exited %d or hash differs" % (a["id"], rc))
                    if os.path.exists(out):
                        os.unlink(out)
            elif k == "disclosure":
                code = a["client"]
                if code not in disclosure_cache:
                    disclosure_cache[code] = {d["id"]: d for d in self.disclosures(code)}
                d = disclosure_cache[code].get(a["id"])
                if d is None or d.get("what") != a["what"]:
                    lost.append("disclosure %s missing or changed" % a["id"])
            elif k == "export":
                if not os.path.exists(a["out"]) or os.path.getsize(a["out"]) != a["size"]:
                    lost.append("export %s missing or changed size" % a["out"])
                else:
                    code = a["client"]
                    if code not in disclosure_cache:
                        disclosure_cache[code] = {d["id"]: d for d in self.disclosures(code)}
                    if a["disclosure"] not in disclosure_cache[code]:
                        lost.append("export %s: its disclosure %s is missing" % (a["out"], a["disclosure"]))
                    if id(a) in deep:
                        p = subprocess.run(["age", "-d", "-i", self.agekey, a["out"]], capture_output=True)
                        ok = p.returncode == 0
                        if ok:
                            zpath = os.path.join(self.ep, "export-check.zip")
                            with open(zpath, "wb") as f:
                                f.write(p.stdout)
                            try:
                                with zipfile.ZipFile(zpath) as z:
                                    ok = z.testzip() is None and "record.json" in z.namelist()
                            except zipfile.BadZipFile:
                                ok = False
                            os.unlink(zpath)
                        if not ok:
                            lost.append("export %s does not decrypt to a valid ZIP" % a["out"])
            elif k == "snapshot":
                if a["id"] not in snapshots:
                    lost.append("snapshot %s missing from backup list" % a["id"])
            elif k == "restore":
                if not os.path.exists(os.path.join(a["target"], "config")):
                    lost.append("restored vault %s missing" % a["target"])
        for code, allowed in self.phones.items():
            s = self.run_json(self.vault_args() + ["client", "show", code, "--json"], "client show")
            phone = s.get("record", {}).get("phone")
            if phone not in allowed:
                lost.append("client %s phone %r, expected one of %s" % (code, phone, sorted(allowed)))
            else:
                self.phones[code] = {phone}
        self.new_acks = []
        return lost

    def prune_expectation(self, exp):
        """After a killed prune, snapshots it would remove may be gone; the newest must remain."""
        snapshots = set(self.snapshot_ids())
        keep = exp.get("keep")
        if keep is not None and keep not in snapshots:
            return ["backup prune (killed) removed the snapshot it keeps: %s" % keep]
        self.acks = [a for a in self.acks if not (a["kind"] == "snapshot" and a["id"] != keep
                                                  and a["id"] not in snapshots)]
        return []

    def stray_check(self):
        strays = []
        tmp = os.path.join(self.vault, "tmp")
        if os.path.isdir(tmp):
            strays += ["vault tmp/%s" % n for n in os.listdir(tmp)]
        rc, out, err = self.run(self.vault_args() + ["verify", "--json"])
        try:
            for f in json.loads(out).get("findings", []):
                m = f.get("message", "")
                if f.get("severity") == "warning" and ("not referenced" in m or "leftover" in m
                                                      or "belongs to no client" in m):
                    strays.append("vault %s (%s)" % (f.get("path"), f.get("message")))
        except ValueError:
            pass
        if os.path.isdir(self.repo):
            rtmp = os.path.join(self.repo, "tmp")
            if os.path.isdir(rtmp):
                strays += ["repo tmp/%s" % n for n in os.listdir(rtmp)]
            strays += self.repo_unreferenced()
        for path, exp in list(self.unacked_exports.items()):
            if os.path.exists(path):
                after = len(self.disclosures(exp["client"]))
                if after > exp["disclosures_before"]:
                    # complete and recorded: a finished export whose exit status was lost
                    self.export_files[path] = os.path.getsize(path)
                else:
                    strays.append("export file without its disclosure: %s" % path)
            del self.unacked_exports[path]
        for n in os.listdir(self.exports):
            p = os.path.join(self.exports, n)
            if p not in self.export_files and not n.startswith("export-"):
                strays.append("exports/%s" % n)
        for d in (self.ep, self.restores):
            for n in os.listdir(d):
                if n.startswith("."):
                    strays.append("hidden %s/%s" % (os.path.relpath(d, self.ep), n))
        return strays

    def repo_unreferenced(self):
        """Packs no index file names (FORMAT.md 16.2): what an interrupted backup may leave, and
        the next uninterrupted one must remove. Entries a kept snapshot no longer needs may stay
        inside packs prune chose not to repack; those are not strays."""
        indexed = set()
        idir, pdir = os.path.join(self.repo, "index"), os.path.join(self.repo, "packs")
        if not os.path.isdir(pdir):
            return []
        for n in os.listdir(idir) if os.path.isdir(idir) else []:
            with open(os.path.join(idir, n), "rb") as f:
                data = f.read()
            count, at = int.from_bytes(data[8:12], "little"), 12
            for _ in range(count):
                indexed.add(data[at:at + 32].hex())
                length = int.from_bytes(data[at + 32:at + 36], "little")
                at += 36 + length
        return ["repo packs/%s (no index names it)" % n for n in os.listdir(pdir) if n not in indexed]

    # ---------- main loop ----------
    def main(self):
        started = time.monotonic()
        print("torture: %s, seed %d, %d kills, work dir %s" % (self.binary, self.args.seed,
                                                                self.args.kills, self.base), flush=True)
        self.new_episode()
        self.started = started
        names, weights = list(OPS), [OPS[o] for o in OPS]
        last_report = time.monotonic()
        while self.kills < self.args.kills:
            if self.episode_kills >= self.args.episode_kills:
                self.end_episode()
                self.new_episode()
            op = self.rng.choices(names, weights)[0]
            killed = self.do_killed(op)
            if not killed:
                continue
            op = killed
            n = self.kills
            problems = self.check_integrity()
            if not problems:
                try:
                    lost = self.prune_expectation(self.last_exp) if op == "backup-prune" else []
                    lost += self.check_acks()
                    for l in lost:
                        self.lost.append((n, "after killing %s: %s" % (op, l)))
                except CheckFailed as e:
                    problems.append(str(e))
            if problems:
                self.corrupt.append((n, "after killing %s: %s" % (op, "; ".join(problems))))
                print("kill %d (%s): CORRUPT: %s" % (n, op, "; ".join(problems)), flush=True)
                self.end_episode(deep=False)
                self.new_episode()
                continue
            # the next command: the same kind again, uninterrupted
            if not self.do_uninterrupted(op):
                print("kill %d (%s): the next command failed: %s" % (n, op, self.failures[-1]), flush=True)
            strays = [s for s in self.stray_check() if s not in self.strays]
            if strays:
                self.stray_kills += 1
                for s in strays:
                    self.strays[s] = (n, op)
            if time.monotonic() - last_report > 30:
                last_report = time.monotonic()
                print("... %d kills, %d completed, %d lost, %d corrupt, %d stray(s), %.0f s" % (
                    self.kills, self.completed, len(self.lost), len(self.corrupt), len(self.strays),
                    time.monotonic() - started), flush=True)
        self.end_episode()
        elapsed = time.monotonic() - started
        self.report(elapsed)
        if not self.args.keep:
            shutil.rmtree(self.base, ignore_errors=True)
        bad = self.lost or self.corrupt or self.strays or self.failures
        return 1 if bad else 0

    def report(self, elapsed):
        print()
        print("kills per command: " + ", ".join("%s %d" % (o, self.kills_by_op[o]) for o in OPS))
        print("completed before the kill or uninterrupted (acknowledged): %d (%s)" % (
            self.completed, ", ".join("%s %d" % (o, self.acked_by_op[o]) for o in OPS)))
        print("typical durations (median, s): " + ", ".join(
            "%s %.3f" % (o, self.typical(o) or 0) for o in OPS))
        print("episodes: %d; acknowledged-write checks made: %d" % (self.episode, self.ack_checks))
        if self.warnings:
            print("warnings reported by verify/log verify/backup verify (not failures), with counts:")
            for w, c in sorted(self.warnings.items(), key=lambda x: -x[1]):
                print("  %5d  %s" % (c, w))
        for n, d in self.lost:
            print("LOST (kill %d): %s" % (n, d))
        for n, d in self.corrupt:
            print("CORRUPT (kill %d): %s" % (n, d))
        for f in self.failures:
            print("FAILED COMMAND (after kill %d): %s exited %d: %s" % f)
        for s, (n, op) in sorted(self.strays.items(), key=lambda x: x[1][0]):
            print("STRAY (after kill %d of %s and the next %s): %s" % (n, op, op, s))
        cats = {}
        for s in self.strays:
            c = re.sub(r"/[0-9a-f]{2}/", "/*/", s.split(" (")[0].replace(self.base + "/", ""))
            c = re.sub(r"^(export file without its disclosure: )ep\d+/", r"\1", c)
            c = re.sub(r"[0-9a-f]{8,}|\.tmp-\S+|r-[\d-]+|export-[\d-]+\.age", "*", c)
            c = re.sub(r"\*/\*|\*\*", "*", c)
            cats[c] = cats.get(c, 0) + 1
        if cats:
            print("strays by kind: " + "; ".join("%s: %d" % kv for kv in sorted(cats.items())))
        print("time: %.0f s" % elapsed)
        print("kills: %d, acknowledged writes lost: %d, corrupt vaults: %d" % (
            self.kills, len(self.lost), len(self.corrupt)))
        print("strays surviving the next command: %d stray file(s) after %d kill(s); "
              "commands that failed without a kill: %d" % (len(self.strays), self.stray_kills,
                                                           len(self.failures)))


class CheckFailed(Exception):
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--kills", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--episode-kills", type=int, default=50,
                    help="kills per vault before it is recreated (default 50)")
    ap.add_argument("--deep-sample", type=int, default=4,
                    help="older acknowledged writes whose contents are re-read after each kill")
    ap.add_argument("--workdir", default=None, help="where to create the scratch directory")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    if not shutil.which("age") or not shutil.which("age-keygen"):
        raise SystemExit("torture: needs age and age-keygen (apt-get install age)")
    t = Torture(args.binary, args)

    def interrupted(signum, frame):
        # Ctrl-C or SIGTERM: report what was found so far (marked as incomplete)
        print("\ninterrupted by signal %d after %d of %d kills: the figures below are partial" % (
            signum, t.kills, args.kills), flush=True)
        t.report(time.monotonic() - getattr(t, "started", time.monotonic()))
        sys.exit(130)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    sys.exit(t.main())


if __name__ == "__main__":
    main()
