#!/usr/bin/env python3
"""Tamper test for vault: mutate every file kind a vault and a backup repository write, and check
that each mutation is detected.

Usage: python3 scripts/tamper.py .build/debug/vault [--quick] [--seed N] [--all-checks]

A vault (two clients, notes, a signed note with an addendum, a client update, a multi-MiB consent
document) and a backup repository with two snapshots are built once, checked clean, and kept as
pristine copies. Each mutation is applied to a working copy, checked, and undone by resynchronising
the working copy from the pristine one (every file whose size or time differs is copied back, extra
files removed), so every mutation starts from the same state.

Mutations, for every file (vault: config, index, slots/*, clientkeys/*, objects/*, log/entries,
log/checkpoints; repository: vault-backup, snapshots/*, packs/*, index/*):
  flip      XOR one byte with --xor (0x01): in the first file of each kind, every byte if it is
            up to --small (2048) bytes, else --sample (200) positions including the first and the
            last; in the other files of the kind, --other-sample (32) positions incl. first/last;
  truncate  to 0, 1, 7, 8, half, size-32, size-17 and size-1 bytes;
  append    1, 16 and 200 random bytes;
  delete    the file (and, once each, every non-empty directory);
(--quick, for make test: only the first file of each kind, 4 positions, 3 lengths, 2 appends.)
A "kind" is a file's role: config, index, passphrase slot, recovery slot, client key, an object by
the command that created it (client add, add-note, sign, amend, consent add: the multi-MiB
document, client update), log/entries, log/checkpoints; in the repository the marker, a manifest,
a pack, an index file.
and once: swap two objects' files (same client, two clients' notes, a note and the consent document,
two clients' client index objects), swap the two clients' key files, swap the two key slots, replay
the index saved before the last changes (alone, and with the objects it named: a whole rollback),
swap two packs, two index files and two snapshot manifests in the repository.

Detection, in this order, stopping at the first that detects (all of them with --all-checks):
vault files: `vault verify --keyless` (exit 10), `vault verify` (keyed, exit 10), then reads:
`client list`, `note show` of a note of each client, `consent get` (any non-zero exit = refused);
repository files: `vault backup verify` (exit 10), then `vault backup list` and `vault restore`
(non-zero = refused; a restore that succeeds is verified, keyed, and must fail with exit 10).
A mutation no check detects is *undetected* unless verify reported a new warning: then it is
listed as *warning only*, split into those the format allows (an incomplete last log record or
checkpoint that looks like an interrupted append) and the others, for the lead to judge.
Files that are not data are excluded (printed with the reason).
Prints `mutations: N, undetected: U`; exit status 0 only if U is 0.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

PASSPHRASE = "tamper passphrase for tests only\n"
EXCLUDED = [
    ("vault lock", "no header and no data: the flock target; its content is only the pid of the "
                   "last exclusive holder and is never read to decide anything (FORMAT.md 9.2)"),
    ("vault tmp/", "empty in a quiescent vault; entries are leftovers of interrupted writes that "
                   "the next writer deletes (FORMAT.md 9.3)"),
    ("repository lock", "empty flock target (FORMAT.md 16)"),
    ("repository tmp/", "temporary files of running backups, removed under the lock (FORMAT.md 16)"),
]


def tree(root):
    """relative path -> (size, mtime_ns) for files; relative path -> None for directories."""
    out = {}
    for d, dirs, files in os.walk(root):
        rd = os.path.relpath(d, root)
        if rd != ".":
            out[rd] = None
        for f in files:
            p = os.path.join(d, f)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


def resync(pristine, work, ptree):
    """Make work identical to pristine again (files compared by size and mtime)."""
    wtree = tree(work)
    for rel in sorted((r for r in wtree if r not in ptree), key=len, reverse=True):
        p = os.path.join(work, rel)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.unlink(p)
    for rel, meta in sorted(ptree.items(), key=lambda x: len(x[0])):
        src, dst = os.path.join(pristine, rel), os.path.join(work, rel)
        if meta is None:
            if not os.path.isdir(dst):
                os.makedirs(dst)
                shutil.copystat(src, dst)
        elif wtree.get(rel) != meta:
            if os.path.lexists(dst):
                os.unlink(dst)
            shutil.copy2(src, dst)


class Tamper:
    def __init__(self, binary, args):
        self.binary = os.path.abspath(binary)
        self.args = args
        self.rng = random.Random(args.seed)
        self.base = tempfile.mkdtemp(prefix="vault-tamper-", dir=args.workdir)
        self.pwfile = os.path.join(self.base, "passphrase")
        with open(self.pwfile, "w") as f:
            f.write(PASSPHRASE)
        self.env = dict(os.environ)
        for k in ("VAULT_DIR", "VAULT_PASSPHRASE_COMMAND"):
            self.env.pop(k, None)
        self.env["VAULT_PASSPHRASE_FILE"] = self.pwfile
        self.results = []   # (store, kind, path, mutation, param, outcome, detail)
        self.exit_code_notes = []
        self.kinds_seen = set()

    def run(self, argv):
        p = subprocess.run([self.binary] + argv, env=self.env, capture_output=True, timeout=600)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))

    def must(self, argv):
        rc, out, err = self.run(argv)
        if rc != 0:
            raise SystemExit("tamper: setup command %s failed (%d): %s" % (argv, rc, err or out))
        return json.loads(out) if out.strip().startswith(("{", "[")) else out

    # ---------- setup ----------
    def objects(self, vault):
        top = os.path.join(vault, "objects")
        return {n: os.path.join(top, s, n) for s in os.listdir(top)
                for n in os.listdir(os.path.join(top, s))}

    def setup(self):
        b = self.base
        v = os.path.join(b, "build-vault")
        r = os.path.join(b, "build-repo")
        self.run(["init", "--vault", v, "--passphrase-file", self.pwfile, "--kdf", "test",
                  "--recovery-key-out", os.path.join(b, "recovery")])
        va = ["--vault", v, "--json"]
        self.labels = {}     # object id -> what created it

        def step(label, argv):
            before = set(self.objects(v))
            out = self.must(argv + va)
            for o in set(self.objects(v)) - before:
                self.labels[o] = label
            return out

        def text(name, body):
            p = os.path.join(b, name)
            with open(p, "w") as f:
                f.write(body)
            return p
        a = step("client add (client index or record)",
                 ["client", "add", "--legal-name", "Ann Alpha", "--dob", "1980-01-01"])["code"]
        c = step("client add (client index or record)",
                 ["client", "add", "--legal-name", "Bob Beta", "--dob", "1981-01-01"])["code"]
        self.clients = (a, c)
        step("add-note (note or client index)",
             ["add-note", a, "--file", text("n1", "First note of Ann\n" + "words " * 60 + "\n")])
        step("add-note (note or client index)",
             ["add-note", c, "--file", text("n2", "First note of Bob\n" + "other " * 60 + "\n")])
        step("note sign (note or client index)", ["note", "sign", a + ".1"])
        step("note amend (addendum or client index)",
             ["note", "amend", a + ".1", "--reason", "typo", "--file", text("a1", "Correction.\n")])
        doc = os.path.join(b, "consent.pdf")
        with open(doc, "wb") as f:
            f.write(os.urandom(self.args.doc_mib << 20))
        step("consent add (document or client index)",
             ["consent", "add", a, "--kind", "informed-consent", "--file", doc, "--signed", "today"])
        self.must(["backup", "--to", r, "--json"] + ["--vault", v])
        # the state to replay later: index and objects before the last changes
        self.old_index = os.path.join(b, "old-index")
        shutil.copy2(os.path.join(v, "index"), self.old_index)
        self.old_objects = dict(self.objects(v))
        self.old_copy = os.path.join(b, "old-objects")
        os.makedirs(self.old_copy)
        for n, p in self.old_objects.items():
            shutil.copy2(p, os.path.join(self.old_copy, n))
        step("client update (record or client index)", ["client", "update", a, "--phone", "555-0100"])
        step("add-note (note or client index)",
             ["add-note", c, "--file", text("n3", "Second note of Bob\n" + "more " * 40 + "\n")])
        self.must(["backup", "--to", r, "--json"] + ["--vault", v])
        self.must(["verify", "--json"] + ["--vault", v])
        self.old_only = {n: os.path.join(self.old_copy, n) for n in self.old_objects
                         if n not in self.objects(v)}
        # which object is the consent document (the big one), which belong to whom: by decrypting
        # nothing, only from sizes and creation steps
        objs = self.objects(v)
        self.doc_object = max(objs, key=lambda n: os.path.getsize(objs[n]))
        self.labels[self.doc_object] = "consent document (%d MiB)" % self.args.doc_mib
        self.pv, self.pr = v, r
        self.wv, self.wr = os.path.join(b, "vault"), os.path.join(b, "repo")
        shutil.copytree(v, self.wv, symlinks=True)
        shutil.copytree(r, self.wr, symlinks=True)
        self.ptree_v, self.ptree_r = tree(v), tree(r)
        # note ids of each client for the reads, the consent id
        notes = self.must(["note", "list", "--vault", self.wv, "--json"])
        self.read_notes = sorted({n["id"] for n in notes if n["id"].endswith(".1")})
        self.consent = self.must(["consent", "list", "--vault", self.wv, "--json"])[0]["id"]
        # baseline: everything clean, and the warnings already there
        self.base_warn_v = self.warnings(self.run(["verify", "--keyless", "--json", "--vault", self.wv])[1]) | \
            self.warnings(self.run(["verify", "--json", "--vault", self.wv])[1])
        self.base_warn_r = self.warnings(self.run(["backup", "verify", "--to", self.wr, "--json"])[1])
        self.resync()
        for argv in (["verify", "--keyless", "--vault", self.wv], ["verify", "--vault", self.wv],
                     ["backup", "verify", "--to", self.wr], ["client", "list", "--vault", self.wv]):
            rc, out, err = self.run(argv)
            if rc != 0:
                raise SystemExit("tamper: the pristine copy does not pass %s: %s" % (argv, out + err))
        self.resync()
        # manifests: blob hash -> the vault path it holds
        self.blob_names = {}
        sdir = os.path.join(r, "snapshots")
        self.snapshots = sorted(os.listdir(sdir))
        for s in self.snapshots:
            with open(os.path.join(sdir, s), "rb") as f:
                m = json.loads(f.read()[8:-32])
            for x in m["files"]:
                self.blob_names.setdefault(x["blob"], x["path"])

    def warnings(self, out):
        try:
            return {(f.get("path"), f.get("message")) for f in json.loads(out).get("findings", [])
                    if f.get("severity") == "warning"}
        except ValueError:
            return set()

    def resync(self):
        resync(self.pv, self.wv, self.ptree_v)
        resync(self.pr, self.wr, self.ptree_r)

    # ---------- checks ----------
    def check_vault(self):
        """-> (detected: bool, how, new warnings)"""
        new_warn = set()
        hows = []
        checks = [("verify --keyless", ["verify", "--keyless", "--json"]),
                  ("verify (keyed)", ["verify", "--json"])]
        for name, argv in checks:
            rc, out, err = self.run(argv + ["--vault", self.wv])
            new_warn |= self.warnings(out) - self.base_warn_v
            if rc == 10:
                hows.append(name)
                if not self.args.all_checks:
                    return True, hows, new_warn
            elif rc != 0:
                self.exit_code_notes.append("%s exited %d: %s" % (name, rc, (err or out).strip()[:200]))
                hows.append("%s exit %d" % (name, rc))
        reads = [["client", "list", "--json"]] + [["note", "show", n, "--json"] for n in self.read_notes] + \
            [["consent", "get", self.consent, "--out", "-"]]
        for argv in reads:
            rc, out, err = self.run(argv + ["--vault", self.wv])
            if rc != 0:
                hows.append("%s refused (exit %d)" % (" ".join(argv[:2]), rc))
                if not self.args.all_checks:
                    return True, hows, new_warn
        return bool(hows), hows, new_warn

    def check_repo(self):
        hows = []
        rc, out, err = self.run(["backup", "verify", "--to", self.wr, "--json"])
        new_warn = self.warnings(out) - self.base_warn_r
        if rc == 10:
            hows.append("backup verify")
            if not self.args.all_checks:
                return True, hows, new_warn
        elif rc != 0:
            self.exit_code_notes.append("backup verify exited %d: %s" % (rc, (err or out).strip()[:200]))
            hows.append("backup verify exit %d" % rc)
        rc, out, err = self.run(["backup", "list", "--to", self.wr, "--json"])
        if rc != 0:
            hows.append("backup list refused (exit %d)" % rc)
            if not self.args.all_checks:
                return True, hows, new_warn
        target = os.path.join(self.base, "restored")
        shutil.rmtree(target, ignore_errors=True)
        rc, out, err = self.run(["restore", "--from", self.wr, "--to", target, "--json"])
        if rc != 0:
            hows.append("restore refused (exit %d)" % rc)
        else:
            rc, out, err = self.run(["verify", "--json", "--vault", target])
            if rc == 10:
                hows.append("restore succeeded, keyed verify of the restored vault")
            elif rc != 0:
                hows.append("restored vault: verify exit %d" % rc)
        shutil.rmtree(target, ignore_errors=True)
        return bool(hows), hows, new_warn

    # ---------- mutations ----------
    def record(self, store, kind, rel, mutation, param, apply):
        apply()
        detected, hows, new_warn = self.check_vault() if store == "vault" else self.check_repo()
        if detected:
            outcome = "detected"
        elif store == "repo" and kind == "snapshot manifest" and mutation == "delete":
            # Without a key, a deleted manifest is exactly what `vault backup prune` leaves; the
            # vault's own log names every snapshot it made (docs/RELIABILITY.md, section 2).
            outcome = "by design (a prune)"
        elif new_warn:
            # the format allows a warning for what looks like an interrupted append: an incomplete
            # last record or checkpoint (with the unsigned entries that leaves)
            allowed = any("incomplete last" in m for _, m in new_warn) and \
                all("incomplete last" in m or "unsigned" in m for _, m in new_warn)
            outcome = "warning (format allows)" if allowed else "warning only"
        else:
            outcome = "undetected"
        self.results.append((store, kind, rel, mutation, param, outcome,
                             "; ".join(hows) or "; ".join("%s: %s" % w for w in sorted(new_warn))))
        self.resync()

    def file_mutations(self, store, kind, root, rel):
        path = os.path.join(root, rel)
        with open(path, "rb") as f:
            data = f.read()
        size = len(data)

        def write(b):
            def go():
                with open(path, "wb") as f:
                    f.write(b)
            return go
        first_of_kind = kind not in self.kinds_seen
        self.kinds_seen.add(kind)
        if self.args.quick and not first_of_kind:
            return
        if self.args.quick:
            positions = sorted({0, size - 1} | set(self.rng.sample(range(size), min(size, 2))))
        elif size <= self.args.small and first_of_kind:
            positions = range(size)
        else:
            n = self.args.sample if first_of_kind else self.args.other_sample
            positions = sorted({0, size - 1} | set(self.rng.sample(range(size), min(size, n) - 2)))
        for pos in positions:
            b = bytearray(data)
            b[pos] ^= self.args.xor
            self.record(store, kind, rel, "flip", pos, write(bytes(b)))
        lengths = {0, size // 2, size - 1} if self.args.quick else \
            {0, 1, 7, 8, size // 2, size - 32, size - 17, size - 1}
        for n in sorted(lengths):
            if 0 <= n < size:
                self.record(store, kind, rel, "truncate", n, write(data[:n]))
        for n in ((1, 200) if self.args.quick else (1, 16, 200)):
            self.record(store, kind, rel, "append", n, write(data + os.urandom(n)))
        self.record(store, kind, rel, "delete", "", lambda: os.unlink(path))

    def swap(self, store, kind, root, a, b, what):
        def go():
            pa, pb = os.path.join(root, a), os.path.join(root, b)
            tmp = pa + ".swap"
            os.rename(pa, tmp)
            os.rename(pb, pa)
            os.rename(tmp, pb)
        self.record(store, kind, "%s <-> %s" % (a, b), "swap", what, go)

    def vault_files(self):
        files = []
        for rel, meta in sorted(self.ptree_v.items()):
            if meta is None or rel == "lock" or rel.startswith("tmp/"):
                continue
            top = rel.split("/")[0]
            if top == "objects":
                oid = os.path.basename(rel)
                kind = "object: " + self.labels.get(oid, "?")
            elif top == "slots":
                with open(os.path.join(self.pv, rel), "rb") as f:
                    kind = "slot (%s)" % ("passphrase" if f.read()[24] == 1 else "recovery")
            elif top == "clientkeys":
                kind = "client key"
            else:
                kind = rel
            files.append((kind, rel))
        return files

    def repo_files(self):
        files = []
        for rel, meta in sorted(self.ptree_r.items()):
            if meta is None or rel == "lock" or rel.startswith("tmp/"):
                continue
            top = rel.split("/")[0]
            name = os.path.basename(rel)
            if top == "packs":
                kind = "pack"
            elif top == "index":
                kind = "index file"
            elif top == "snapshots":
                kind = "snapshot manifest"
            else:
                kind = rel
            files.append((kind, rel))
        return files

    def main(self):
        started = time.monotonic()
        print("tamper: %s, seed %d%s, work dir %s" % (self.binary, self.args.seed,
                                                       " (quick)" if self.args.quick else "", self.base),
              flush=True)
        self.setup()
        for what, why in EXCLUDED:
            print("excluded: %s: %s" % (what, why))
        vfiles, rfiles = self.vault_files(), self.repo_files()
        for kind, rel in vfiles:
            self.file_mutations("vault", kind, self.wv, rel)
            print("... %-45s %-75s %d mutations so far, %.0f s" % (kind[:45], rel, len(self.results),
                                                                   time.monotonic() - started), flush=True)
        # directories
        for rel, meta in sorted(self.ptree_v.items()):
            if meta is None and rel != "tmp" and os.listdir(os.path.join(self.pv, rel)) and \
                    not (self.args.quick and rel.count("/") and rel.split("/")[0] + "/*" in self.kinds_seen):
                self.kinds_seen.add(rel.split("/")[0] + "/*")
                self.record("vault", "directory", rel, "delete directory", "",
                            lambda p=os.path.join(self.wv, rel): shutil.rmtree(p))
        # swaps and replays
        objs = self.objects(self.pv)
        rel = lambda n: os.path.relpath(objs[n], self.pv)
        by_label = {}
        for n in objs:
            by_label.setdefault(self.labels.get(n, "?"), []).append(n)
        small = sorted((n for n in objs if n != self.doc_object), key=lambda n: (self.labels.get(n, ""), n))
        pairs = [(small[i], small[i + 1]) for i in range(len(small) - 1)]
        for a, b in pairs:
            self.swap("vault", "objects", self.pv if False else self.wv, rel(a), rel(b),
                      "%s / %s" % (self.labels.get(a), self.labels.get(b)))
        for n in small[:3]:
            self.swap("vault", "objects", self.wv, rel(n), rel(self.doc_object), "object / consent document")
        keys = sorted(r for k, r in vfiles if k == "client key")
        if len(keys) == 2:
            self.swap("vault", "client keys", self.wv, keys[0], keys[1], "two clients' key files")
        slots = sorted(r for k, r in vfiles if k.startswith("slot"))
        if len(slots) == 2:
            self.swap("vault", "slots", self.wv, slots[0], slots[1], "passphrase and recovery slot")

        def replay_index():
            shutil.copy2(self.old_index, os.path.join(self.wv, "index"))

        def replay_all():
            replay_index()
            for n, p in self.old_only.items():
                d = os.path.join(self.wv, "objects", n[:2])
                os.makedirs(d, exist_ok=True)
                shutil.copy2(p, os.path.join(d, n))
        self.record("vault", "index", "index", "replay", "the index from before the last 2 changes", replay_index)
        self.record("vault", "index + client index objects", "index, objects", "replay",
                    "the index and the client index objects it named, from before the last 2 changes "
                    "(a rollback)", replay_all)
        for kind, rel_ in rfiles:
            self.file_mutations("repo", kind, self.wr, rel_)
            print("... %-45s %-75s %d mutations so far, %.0f s" % (kind[:45], rel_, len(self.results),
                                                                   time.monotonic() - started), flush=True)
        for rel_, meta in sorted(self.ptree_r.items()):
            if meta is None and rel_ != "tmp" and os.listdir(os.path.join(self.pr, rel_)) and \
                    not (self.args.quick and rel_.count("/") and "repo " + rel_.split("/")[0] + "/*" in self.kinds_seen):
                self.kinds_seen.add("repo " + rel_.split("/")[0] + "/*")
                self.record("repo", "directory", rel_, "delete directory", "",
                            lambda p=os.path.join(self.wr, rel_): shutil.rmtree(p))
        for top in ("packs", "index", "snapshots"):
            group = sorted(r for k, r in rfiles if r.startswith(top + "/"))
            for a, b in list(zip(group, group[1:]))[:3]:
                self.swap("repo", top, self.wr, a, b, "two %s" % top)
        elapsed = time.monotonic() - started
        self.report(elapsed)
        if not self.args.keep:
            shutil.rmtree(self.base, ignore_errors=True)
        return 0 if not [r for r in self.results if r[5] == "undetected"] else 1

    def report(self, elapsed):
        print()
        kinds = {}
        for store, kind, rel, mutation, param, outcome, detail in self.results:
            k = (store, kind.split(" (")[0] if kind.startswith("object:") else kind)
            c = kinds.setdefault(k, {})
            c[outcome] = c.get(outcome, 0) + 1
        print("per file kind (mutations: outcome counts):")
        for (store, kind), c in sorted(kinds.items()):
            print("  %-5s %-60s %s" % (store, kind[:60], ", ".join("%s %d" % x for x in sorted(c.items()))))
        hows = {}
        for r in self.results:
            if r[5] == "detected":
                first = r[6].split(";")[0]
                hows[first] = hows.get(first, 0) + 1
        print("detected first by: " + ", ".join("%s %d" % x for x in sorted(hows.items(), key=lambda x: -x[1])))
        notes = {}
        for n in self.exit_code_notes:
            notes[n] = notes.get(n, 0) + 1
        for n, c in sorted(notes.items()):
            print("exit code other than 0 or 10 (%d time(s)): %s" % (c, n))
        for outcome in ("by design (a prune)", "warning (format allows)", "warning only", "undetected"):
            rows = [r for r in self.results if r[5] == outcome]
            if rows:
                print("%s: %d" % (outcome.upper(), len(rows)))
                for store, kind, rel, mutation, param, o, detail in rows:
                    print("  %s %s [%s] %s %s%s" % (store, rel, kind, mutation, param,
                                                    (" -> " + detail) if detail else ""))
        undetected = len([r for r in self.results if r[5] == "undetected"])
        print("time: %.0f s" % elapsed)
        print("mutations: %d, undetected: %d" % (len(self.results), undetected))
        print("not detectable without a key, by design: %d (a snapshot manifest deleted: what a prune does)" % (
            len([r for r in self.results if r[5] == "by design (a prune)"])))
        print("warnings only: %d (of which the format allows %d: an incomplete last log record or checkpoint)" % (
            len([r for r in self.results if r[5].startswith("warning")]),
            len([r for r in self.results if r[5] == "warning (format allows)"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--quick", action="store_true", help="12 flipped positions per file (for make test)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--small", type=int, default=2048, help="flip every byte of files up to this size")
    ap.add_argument("--sample", type=int, default=200, help="positions flipped in larger files")
    ap.add_argument("--other-sample", type=int, default=32,
                    help="positions flipped in the second and later files of a kind")
    ap.add_argument("--xor", type=lambda s: int(s, 0), default=0x01)
    ap.add_argument("--doc-mib", type=int, default=3, help="size of the consent document")
    ap.add_argument("--all-checks", action="store_true", help="run every check, not only until one detects")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    sys.exit(Tamper(args.binary, args).main())


if __name__ == "__main__":
    main()
