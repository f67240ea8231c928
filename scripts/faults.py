#!/usr/bin/env python3
"""Fault injection: ENOSPC and EIO at each successive write, fsync, rename, link, create, mkdir
and unlink a vault command makes inside the vault (and the backup directory), through the
LD_PRELOAD shim in Tests/FaultInjection/faultshim.c.

For every command and every fault point n (counted by a dry run) and errno:
  1. copy a prepared vault (and backup directory), run the command with the nth call failing;
  2. the command must exit non-zero (1) with one clear line on stderr (ENOSPC says the disk is
     full; no "internal error", no stack trace, no raw error type);
  3. keyed `vault verify` must report no error (warnings, e.g. leftovers, are noted), and a
     canonical dump of the logical state must equal the dump before the command or the dump
     after a successful run (never between); for a backup, `backup verify --full` must pass and
     the snapshot list be as before or as after;
  4. the same command, run again without a fault, must succeed, and `verify` stay clean.

Usage: scripts/faults.py [--vault-bin .build/debug/vault] [--quick] [--every K]
                         [--errnos ENOSPC,EIO] [--commands add-note,backup] [--sticky]
Prints one line per finding and a summary:
  fault points: N, runs: R, commands: K, vaults left between states: 0, unclear messages: 0, ...
Exit status 0 when there is no finding, 1 otherwise, 2 when the harness itself cannot run
(no C compiler, the shim does not inject).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSPHRASE = "correct horse battery staple"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
HEX_RE = re.compile(r"^[0-9a-f]{32,}$")
SNAP_RE = re.compile(r"^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]+$")
SNAP_IN_RE = re.compile(r"\d{8}T\d{6}\.\d{3}Z-[0-9a-f]+")
TIME_IN_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
UNCLEAR = re.compile(
    r"internal error|please report|fatal error|stack trace|stack dump|backtrace|"
    r"Error Domain=|NSCocoaErrorDomain|POSIXErrorCode|rawValue|Swift\.|\.swift:\d+|"
    r"The operation could not be completed|errno \d+|error \d+\b|Optional\(",
    re.IGNORECASE)
FULL_RE = re.compile(r"full|no space|out of space", re.IGNORECASE)
EIO_RE = re.compile(r"input/output|I/O error|\bI/O\b", re.IGNORECASE)


def find_cc():
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang", "/opt/swift/usr/bin/clang"):
        if cc and shutil.which(cc):
            return shutil.which(cc)
    return None


def build_shim(out_dir):
    cc = find_cc()
    if cc is None:
        return None, "no C compiler (cc, gcc or clang) found"
    src = os.path.join(ROOT, "Tests", "FaultInjection", "faultshim.c")
    so = os.path.join(out_dir, "faultshim.so")
    r = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so, src, "-ldl"], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "cannot compile the shim: " + r.stderr.strip()
    return so, None


class Harness:
    def __init__(self, binary, shim, work, sticky=False):
        self.binary = binary
        self.shim = shim
        self.work = work
        self.sticky = sticky
        self.passfile = os.path.join(work, "pass")
        with open(self.passfile, "w") as f:
            f.write(PASSPHRASE + "\n")
        self.env = {"HOME": work, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                    "VAULT_PASSPHRASE_FILE": self.passfile}

    def run(self, args, vault=None, fault=None, cwd=None):
        """Runs vault; fault = dict of FAULT_* variables (LD_PRELOAD added)."""
        env = dict(self.env)
        argv = [self.binary] + args
        if vault is not None:
            argv += ["--vault", vault]
        if fault is not None:
            env.update(fault)
            env["LD_PRELOAD"] = self.shim
        r = subprocess.run(argv, env=env, cwd=cwd or self.work, capture_output=True, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")

    def must(self, args, vault=None):
        rc, out, err = self.run(args, vault)
        if rc != 0:
            raise SystemExit(f"faults.py: setup failed: vault {' '.join(args)}: exit {rc}: {err.strip()}")
        return out


def canon(value):
    """Masks what differs between two equally valid runs: times, random ids, hashes, sequence numbers."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in sorted(value.items()) if k not in ("objects", "seq", "time", "added", "created")}
    if isinstance(value, list):
        return [canon(v) for v in value]
    if isinstance(value, str) and (TIME_RE.match(value) or HEX_RE.match(value) or SNAP_RE.match(value)):
        return "<masked>"
    if isinstance(value, str):  # a snapshot id or a time inside a log entry's detail
        return SNAP_IN_RE.sub("<snapshot>", TIME_IN_RE.sub("<time>", value))
    return value


def copytree(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def dump(h, vault, dest=None):
    """The logical state of a vault (and a backup directory), read from a scratch copy, since
    every read is logged. Returns a canonical JSON string."""
    scratch = tempfile.mkdtemp(dir=h.work, prefix="dump-")
    try:
        v = os.path.join(scratch, "v")
        copytree(vault, v)
        state = {}
        rc, out, err = h.run(["log", "show", "--json"], v)
        try:
            listed = json.loads(out) if out.strip() else []
        except ValueError:
            listed = []
        entries = [{k: e.get(k) for k in ("action", "actor", "client", "detail")} for e in listed]
        state["log"] = [rc, canon(entries)]
        rc, out, err = h.run(["client", "list", "--all", "--json"], v)
        clients = json.loads(out) if rc == 0 else []
        state["clients"] = [rc, canon(clients)]
        for c in clients:
            code = c["code"]
            rc, out, _ = h.run(["client", "show", code, "--history", "--json"], v)
            state["client " + code] = [rc, canon(json.loads(out)) if rc == 0 else None]
            rc, out, _ = h.run(["note", "list", code, "--json"], v)
            notes = json.loads(out) if rc == 0 else []
            state["notes " + code] = [rc, canon(notes)]
            for n in notes:
                rc, out, _ = h.run(["note", "show", n["id"], "--json"], v)
                state["note " + n["id"]] = [rc, canon(json.loads(out)) if rc == 0 else None]
            rc, out, _ = h.run(["consent", "list", code, "--json"], v)
            consents = json.loads(out) if rc == 0 else []
            state["consents " + code] = [rc, canon(consents)]
            for k in consents:
                path = os.path.join(scratch, "doc")
                rc, _, _ = h.run(["consent", "get", k["id"], "--out", path, "--force"], v)
                digest = hashlib.sha256(open(path, "rb").read()).hexdigest() if rc == 0 and os.path.exists(path) else None
                state["consent " + k["id"]] = [rc, digest]
        if dest is not None:
            rc, out, _ = h.run(["backup", "list", "--to", dest, "--json"])
            state["backups"] = [rc, canon(json.loads(out)) if rc == 0 else out]
        text = json.dumps(state, sort_keys=True)
        # Client codes are random: name each client by its legal name, so that two runs of
        # `client add` compare equal.
        for c in clients:
            text = text.replace(c["code"], "<client " + str(c.get("legalName")) + ">")
        return json.dumps(json.loads(text), sort_keys=True)  # sorted again after the renaming
    finally:
        rmtree(scratch)


def stray_tmp(vault):
    t = os.path.join(vault, "tmp")
    return sorted(os.listdir(t)) if os.path.isdir(t) else []


def verify(h, vault):
    rc, out, err = h.run(["verify"], vault)
    warnings = [l for l in (out + err).splitlines() if "warning" in l.lower()]
    return rc, (out + err).strip(), warnings


def backup_verify(h, dest):
    rc, out, err = h.run(["backup", "verify", "--to", dest, "--full", "--passphrase-file", h.passfile])
    return rc, (out + err).strip()


def message_problems(err, errno_name):
    """Why a failure message is unclear (empty list when it is clear)."""
    lines = [l for l in err.splitlines() if l.strip() and "--kdf test" not in l]
    problems = []
    if not lines:
        problems.append("no message")
        return problems
    if len(lines) > 1:
        problems.append(f"{len(lines)} lines")
    if UNCLEAR.search(err):
        problems.append("internal/raw error text")
    if errno_name == "ENOSPC" and not FULL_RE.search(err):
        problems.append("does not say the disk is full")
    if errno_name == "EIO" and not EIO_RE.search(err):
        problems.append("does not say I/O error")
    return problems


def prepare(h):
    """A vault with two clients, a draft and a signed note, a consent; a backup of an earlier state."""
    base = os.path.join(h.work, "base")
    v = os.path.join(base, "v")
    dest = os.path.join(base, "dest")
    os.makedirs(base)
    h.must(["init", "--passphrase-file", h.passfile, "--kdf", "test", "--recovery-key-out", os.path.join(base, "recovery")], v)
    ann = json.loads(h.must(["client", "add", "--legal-name", "Ann Lee", "--dob", "1990-01-01", "--json"], v))["code"]
    h.must(["client", "add", "--legal-name", "Cy Doe", "--dob", "1970-03-03"], v)
    note = os.path.join(h.work, "note.txt")
    with open(note, "w") as f:
        f.write("Session went well.\nPlan: continue weekly.\n")
    h.must(["add-note", ann, "--file", note], v)
    h.must(["note", "sign", ann + ".1"], v)
    h.must(["backup", "--to", dest], v)
    h.must(["add-note", ann, "--file", note], v)  # ann.2: a draft the sign command signs
    doc = os.path.join(h.work, "consent.pdf")
    with open(doc, "wb") as f:
        f.write(b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024))
    small = os.path.join(h.work, "small.pdf")
    with open(small, "wb") as f:
        f.write(b"%PDF-1.4\n" + os.urandom(4096))
    h.must(["consent", "add", ann, "--kind", "informed-consent", "--file", small, "--signed", "today"], v)
    return base, ann, note, doc


def commands(ann, note, doc):
    """name -> (args, uses the backup directory)."""
    return {
        "add-note": (["add-note", ann, "--file", note], False),
        "note-sign": (["note", "sign", ann + ".2"], False),
        "client-update": (["client", "update", ann, "--phone", "555-0100"], False),
        "consent-add": (["consent", "add", ann, "--kind", "informed-consent", "--file", doc, "--signed", "today"], False),
        "client-add": (["client", "add", "--legal-name", "Bob Roe", "--dob", "1980-02-02"], False),
        "backup": (["backup", "--to", "{dest}"], True),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vault-bin", default=os.path.join(ROOT, ".build", "debug", "vault"))
    ap.add_argument("--quick", action="store_true", help="add-note and backup, about 9 fault points each (every 4th or sparser, and the last), one errno per point: for make test")
    ap.add_argument("--every", type=int, default=0, help="test every Kth fault point (default 1, quick 4)")
    ap.add_argument("--errnos", default="ENOSPC,EIO")
    ap.add_argument("--commands", default="")
    ap.add_argument("--sticky", action="store_true", help="every call after the nth fails too (a disk that stays full)")
    ap.add_argument("--verbose", action="store_true", help="also print notes (best-effort failures, leftovers)")
    ap.add_argument("--alternate", action="store_true", help="one errno per point, alternating (quick runs)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--json-out", default="", help="write every run's record here")
    a = ap.parse_args()
    every = a.every or (4 if a.quick else 1)
    if a.quick:
        a.alternate = True
        a.commands = a.commands or "add-note,backup"
    binary = os.path.abspath(a.vault_bin)
    if not os.access(binary, os.X_OK):
        print(f"faults.py: no vault binary at {binary} (swift build first)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="vault-faults-")
    started = time.time()
    try:
        shim, why = build_shim(work)
        if shim is None:
            print(f"faults.py: {why}", file=sys.stderr)
            return 2
        h = Harness(binary, shim, work, a.sticky)
        base, ann, note, doc = prepare(h)
        cmds = commands(ann, note, doc)
        if a.commands:
            cmds = {k: v for k, v in cmds.items() if k in a.commands.split(",")}
        errnos = [e for e in a.errnos.split(",") if e]
        findings = []
        records = []
        totals = {"points": 0, "runs": 0, "between": 0, "unclear": 0, "badexit": 0, "swallowed": 0,
                  "unusable": 0, "verify": 0, "stray": 0, "falseNothing": 0, "ignoredBestEffort": 0,
                  "states": {"before": 0, "after": 0, "between": 0}, "exits": {}}
        before = dump(h, os.path.join(base, "v"), os.path.join(base, "dest"))
        for name, (args_t, uses_dest) in cmds.items():
            case = os.path.join(work, "case")
            # Dry run: the count of fault points, the trace, and the state after a successful run.
            rmtree(case)
            copytree(base, case)
            v, dest = os.path.join(case, "v"), os.path.join(case, "dest")
            args = [x.replace("{dest}", dest) for x in args_t]
            count_file, trace_file = os.path.join(work, "count"), os.path.join(work, "trace")
            for p in (count_file, trace_file):
                if os.path.exists(p):
                    os.remove(p)
            fault_dir = v + (":" + dest if uses_dest else "")
            rc, out, err = h.run(args, v, {"FAULT_DIR": fault_dir, "FAULT_AT": "0", "FAULT_COUNT_FILE": count_file,
                                           "FAULT_TRACE": trace_file})
            if rc != 0:
                print(f"faults.py: {name} fails without a fault: exit {rc}: {err.strip()}", file=sys.stderr)
                return 2
            n_points = int(open(count_file).read().strip() or 0)
            trace = open(trace_file).read().splitlines() if os.path.exists(trace_file) else []
            if n_points == 0:
                print(f"faults.py: the shim counted no call of {name}: it does not intercept what vault calls", file=sys.stderr)
                return 2
            after = dump(h, v, dest)
            if after == before:
                print(f"faults.py: {name} changed nothing visible in the dump; the check would prove nothing", file=sys.stderr)
                return 2
            step = max(every, n_points // 8) if a.quick else every
            points = sorted(set(list(range(1, n_points + 1, step)) + [n_points]))
            totals["points"] += n_points
            print(f"{name}: {n_points} fault points, testing {len(points)} x {1 if a.alternate else len(errnos)}", flush=True)
            injected_failures = 0
            for n in points:
                dry_label = re.sub(r"^\d+ ", "", trace[n - 1]) if n <= len(trace) else "?"
                dry_label = dry_label.replace(case + "/", "")
                for errno_name in ([errnos[points.index(n) % len(errnos)]] if a.alternate else errnos):
                    rmtree(case)
                    copytree(base, case)
                    ftrace = os.path.join(work, "ftrace")
                    if os.path.exists(ftrace):
                        os.remove(ftrace)
                    rc, out, err = h.run(args, v, {"FAULT_DIR": fault_dir, "FAULT_AT": str(n), "FAULT_ERRNO": errno_name,
                                                   "FAULT_TRACE": ftrace, **({"FAULT_STICKY": "1"} if a.sticky else {})})
                    totals["runs"] += 1
                    fault_lines = [l.strip() for l in open(ftrace)] if os.path.exists(ftrace) else []
                    fault_lines = [l for l in fault_lines if l.startswith("FAULT ")]
                    faulted = bool(fault_lines)
                    if faulted:  # the call that really failed in this run (the dry run's may differ)
                        label = re.sub(r"^FAULT \d+ ", "", fault_lines[0]).replace(case + "/", "")
                    else:
                        label = dry_label
                    rec = {"command": name, "point": n, "call": label, "errno": errno_name, "exit": rc,
                           "stderr": err.strip(), "injected": faulted}
                    tag = f"{name} n={n} ({label}) {errno_name}"
                    rec["call"] = label
                    problems = []
                    totals["exits"][rc] = totals["exits"].get(rc, 0) + 1
                    if rc != 0:
                        injected_failures += 1
                    notes = []
                    call = label.split(" ")[0]
                    target = label.split(" ")[1] if " " in label else ""
                    if rc == 0 and faulted:
                        # Best-effort calls (the lock file's pid, removing a superseded file) may
                        # fail without failing the command; anything else must not.
                        if target.endswith("/lock") or call in ("unlink", "unlinkat", "rmdir"):
                            totals["ignoredBestEffort"] += 1
                            notes.append("exit 0, the failed call was best-effort")
                        else:
                            totals["swallowed"] += 1
                            problems.append("exit 0 although the call failed (error ignored)")
                    elif rc < 0 or rc not in (0, 1):
                        totals["badexit"] += 1
                        problems.append(f"exit {rc} (expected 1)")
                    if rc != 0:
                        mp = message_problems(err, errno_name)
                        if mp:
                            totals["unclear"] += 1
                            problems.append("message: " + ", ".join(mp))
                    # The dump first: verify appends to the log.
                    state = dump(h, v, dest)
                    where = "before" if state == before else "after" if state == after else "between"
                    rec["state"] = where
                    if where == "between":
                        totals["between"] += 1
                        problems.append("vault between states: " + diff_keys(before, after, state))
                    elif rc == 0 and where != "after":
                        problems.append("exit 0 but the change is not there")
                    elif rc != 0 and where == "after" and "nothing was changed" in err:
                        totals["falseNothing"] += 1
                        problems.append("says nothing was changed, but the change was made")
                    totals["states"][where] += 1
                    vrc, vout, warns = verify(h, v)
                    rec["verify"] = [vrc, vout]
                    if vrc != 0:
                        totals["verify"] += 1
                        problems.append(f"verify exit {vrc}: {vout.splitlines()[-1] if vout else ''}")
                    if uses_dest and os.path.isdir(dest):
                        brc, bout = backup_verify(h, dest)
                        rec["backupVerify"] = [brc, bout]
                        if brc != 0:
                            totals["verify"] += 1
                            problems.append(f"backup verify exit {brc}: {bout.splitlines()[-1] if bout else ''}")
                    rec["strayAfterFault"] = stray_tmp(v)
                    # The vault stays usable: the same command succeeds when the fault left the
                    # vault as before; otherwise the next command (a note, or a backup) succeeds.
                    nxt = args if where == "before" or uses_dest else ["add-note", ann, "--file", note]
                    rrc, rout, rerr = h.run(nxt, v)
                    rec["retry"] = [" ".join(nxt), rrc, rerr.strip()]
                    if rrc != 0:
                        totals["unusable"] += 1
                        problems.append(f"next run ({' '.join(nxt[:2])}) exit {rrc}: {rerr.strip()}")
                    vrc2, vout2, warns2 = verify(h, v)
                    if vrc2 != 0:
                        totals["verify"] += 1
                        problems.append(f"verify after the next run exit {vrc2}: {vout2.splitlines()[-1] if vout2 else ''}")
                    rec["strayAfterRetry"] = stray_tmp(v)
                    rec["warningsAfterRetry"] = warns2
                    # An unsigned log tail after a keyless backup is normal, not a leftover.
                    leftover = [w for w in warns2 if not w.startswith("ok:") and "unsigned" not in w]
                    if rec["strayAfterRetry"] or leftover:
                        totals["stray"] += 1
                        kinds = sorted(set(re.sub(r"^warning: [^:]*: ", "", w) for w in leftover))
                        notes.append(f"leftovers after the next run: tmp={len(rec['strayAfterRetry'])} file(s); " + "; ".join(kinds))
                    rec["problems"] = problems
                    rec["notes"] = notes
                    if notes and a.verbose:
                        print(f"NOTE {tag}: exit {rc}: " + "; ".join(notes), flush=True)
                    records.append(rec)
                    if problems:
                        line = f"FINDING {tag}: exit {rc}, stderr {err.strip()!r}: " + "; ".join(problems)
                        findings.append(line)
                        print(line, flush=True)
            if injected_failures == 0:
                print(f"faults.py: no injected fault made {name} fail: the shim is not injecting", file=sys.stderr)
                return 2
        rmtree(os.path.join(work, "case"))
        if a.json_out:
            with open(a.json_out, "w") as f:
                json.dump(records, f, indent=1)
        exits = ", ".join(f"{k}: {v}" for k, v in sorted(totals["exits"].items()))
        print(f"fault points: {totals['points']}, runs: {totals['runs']}, commands: {len(cmds)}, "
              f"vaults left between states: {totals['between']}, unclear messages: {totals['unclear']}, "
              f"wrong exit codes: {totals['badexit']}, errors ignored (exit 0): {totals['swallowed']}, "
              f"wrong 'nothing was changed': {totals['falseNothing']}, "
              f"verify failures: {totals['verify']}, unusable after: {totals['unusable']}")
        st = totals["states"]
        print(f"  states: before {st['before']}, after {st['after']}, between {st['between']}; exit codes {exits}; "
              f"best-effort failures ignored: {totals['ignoredBestEffort']}; runs with leftovers after the next run: "
              f"{totals['stray']}; findings: {len(findings)}; {time.time() - started:.0f} s")
        return 1 if findings else 0
    finally:
        if a.keep:
            print(f"faults.py: kept {work}", file=sys.stderr)
        else:
            rmtree(work)


def diff_keys(before, after, state):
    b, a, s = json.loads(before), json.loads(after), json.loads(state)
    keys = sorted(set(b) | set(a) | set(s))
    out = []
    for k in keys:
        if s.get(k) != b.get(k) and s.get(k) != a.get(k):
            out.append(f"{k} is neither")
            if os.environ.get("FAULTS_DEBUG"):
                print("DEBUG", k, "\n before", b.get(k), "\n after ", a.get(k), "\n state ", s.get(k), file=sys.stderr)
        elif s.get(k) == b.get(k) and b.get(k) != a.get(k):
            out.append(f"{k}=before")
        elif s.get(k) == a.get(k) and b.get(k) != a.get(k):
            out.append(f"{k}=after")
    return ", ".join(out)


if __name__ == "__main__":
    sys.exit(main())
