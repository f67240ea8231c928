#!/usr/bin/env python3
"""Writes vault's manual pages (mdoc), one per command group, like git's and restic's.

usage: python3 scripts/man.py VAULT_BINARY OUT_DIR

Reads the binary's own description of its commands (`vault --experimental-dump-help`, the
tool-info JSON of swift-argument-parser): every command's abstract, discussion and options come
from the help text, so the pages never drift from `vault COMMAND --help`. What help has no room
for (which commands share a page, the environment, the files) is in the tables below. A
top-level command the table does not name gets a page of its own, so every command is in a page.
Prints the pages written, one a line.
"""

import datetime
import json
import os
import re
import subprocess
import sys

# page -> (top-level commands, one-line description)
PAGES = [
    ("vault-init", ["init", "passwd", "info", "recovery"], "create a vault, change its passphrase, show it, rotate its recovery key"),
    ("vault-client", ["client"], "add, list, show, update, discharge and assign clients"),
    ("vault-note", ["add-note", "note", "search"], "write, list, show, edit, sign, amend and search session notes"),
    ("vault-consent", ["consent", "form"], "consent documents and the practice's blank forms"),
    ("vault-disclose", ["disclose", "disclosures"], "record disclosures and print the accounting of disclosures"),
    ("vault-export", ["export"], "export a client's record for them and track records requests"),
    ("vault-backup", ["backup", "restore"], "back up, list, verify, prune and restore backups"),
    ("vault-log", ["log"], "read and check the access log"),
    ("vault-verify", ["verify"], "check the vault for corruption and tampering"),
    ("vault-practitioner", ["practitioner", "emergency"], "practitioners, roles and emergency access"),
    ("vault-unlock", ["unlock", "lock", "status"], "unlock sessions in the kernel keyring"),
]

# The options every command shares (described once, in vault(1)).
COMMON = ["vault", "passphrase-file", "recovery-key-file", "as", "json", "reason", "wait", "quiet"]

ENV_COMMON = [
    ("VAULT_DIR", "The vault directory when --vault is not given."),
    ("XDG_DATA_HOME", "Without --vault and VAULT_DIR, the vault is $XDG_DATA_HOME/vault (an absolute path), else ~/.local/share/vault."),
    ("HOME", "For the default vault directory (and ~/.aws/credentials)."),
    ("VAULT_PASSPHRASE_FILE", "Read the passphrase from the first line of this file, when --passphrase-file is not given."),
    ("VAULT_PASSPHRASE_COMMAND", "Run this command with /bin/sh and take the passphrase from the first line of its output (a password manager)."),
    ("VAULT_PRACTITIONER", "Unlock as this practitioner when --as is not given."),
    ("VAULT_KEYRING", "Set to off to use no unlock sessions (the kernel keyring): every command asks."),
]
ENV_EXTRA = {
    "vault-init": [("USER", "The owner's name in the first key slot when vault init is not given --name.")],
    "vault-note": [
        ("VISUAL", "The editor for notes (else EDITOR, else vi)."),
        ("EDITOR", "The editor for notes when VISUAL is not set."),
        ("XDG_RUNTIME_DIR", "Where the editor's file is kept while a note is written (else /dev/shm); it must be RAM-backed."),
    ],
    "vault-backup": [
        ("AWS_ACCESS_KEY_ID", "With AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN): the credentials for an s3:// backup location."),
        ("AWS_SECRET_ACCESS_KEY", "The secret key for AWS_ACCESS_KEY_ID."),
        ("AWS_SESSION_TOKEN", "A session token for temporary credentials."),
        ("AWS_SHARED_CREDENTIALS_FILE", "The credentials file when AWS_ACCESS_KEY_ID is not set (default ~/.aws/credentials)."),
        ("AWS_PROFILE", "The profile to read in the credentials file (default: default)."),
        ("AWS_REGION", "The region to sign requests for (also AWS_DEFAULT_REGION; else the profile's region, else us-east-1)."),
        ("AWS_DEFAULT_REGION", "The region when AWS_REGION is not set."),
        ("TMPDIR", "Where packs for an s3:// location are assembled before they are uploaded."),
    ],
}
ENV_EXTRA["vault"] = sum(ENV_EXTRA.values(), [])

FILES = [
    ("~/.local/share/vault", "The default vault directory ($XDG_DATA_HOME/vault when set)."),
    ("VAULT/config", "The vault's format version, ids and public keys (not secret)."),
    ("VAULT/slots/", "Key slots: the master key wrapped by each passphrase and by the recovery key."),
    ("VAULT/objects/", "Encrypted records, notes and documents, named by random ids."),
    ("VAULT/log/", "The access log, hash-chained and signed."),
    ("VAULT/lock", "Held by every command that uses the vault."),
]
FILES_EXTRA = {
    "vault-note": [("$XDG_RUNTIME_DIR/vault-edit-*", "The editor's private directory while a note is written (else under /dev/shm), wiped when vault exits.")],
    "vault-backup": [("~/.aws/credentials", "S3 credentials when AWS_ACCESS_KEY_ID is not set.")],
}


def run_dump(binary):
    out = subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["command"]


def esc(text):
    """Text for a text line: backslashes escaped; a line starting with . or ' guarded."""
    text = text.replace("\\", "\\e")
    # An abbreviation's period does not end a sentence.
    return re.sub(r"\b(e\.g|i\.e|etc)\.(?= )", r"\1.\\&", text)


def text_lines(paragraph):
    """One sentence a line (mdoc's rule), each escaped and guarded."""
    paragraph = " ".join(paragraph.split())
    parts = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[A-Za-z0-9)'\"][.?!])\s+(?=[A-Z0-9'\"(\[$<-])", paragraph)
    out = []
    for p in parts:
        # At most 80 bytes a line (mandoc's style), broken between words.
        line = ""
        for word in esc(p).split(" "):
            if line and len((line + " " + word).encode()) > 80:
                out.append(line)
                line = word
            else:
                line = (line + " " + word) if line else word
        out.append(line)
    return ["\\&" + l if l.startswith((".", "'")) else l for l in out]


def prose(discussion):
    """A help discussion as mdoc: paragraphs, headings in capitals, indented blocks as literal displays."""
    out = []
    blocks = re.split(r"\n\s*\n", discussion.strip("\n")) if discussion else []
    for block in blocks:
        lines = block.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if re.fullmatch(r"[A-Z][A-Z ,()/-]+:?", line.strip()) and not line.startswith(" "):
                out += [".Pp", ".Sy " + esc(line.strip().rstrip(":").title())]
                i += 1
                continue
            if line.startswith(" "):
                literal = []
                while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                    literal.append(lines[i])
                    i += 1
                indent = min(len(l) - len(l.lstrip()) for l in literal if l.strip())
                out += [".Bd -literal -offset indent"]
                for l in literal:
                    l = esc(l[indent:].rstrip())
                    out.append("\\&" + l if l.startswith((".", "'")) else l)
                out += [".Ed"]
                continue
            para = []
            while i < len(lines) and not lines[i].startswith(" ") and not re.fullmatch(r"[A-Z][A-Z ,()/-]+:?", lines[i].strip()):
                para.append(lines[i])
                i += 1
            out += [".Pp"] + text_lines(" ".join(para))
    return out


def arg_name(a):
    names = a.get("names") or []
    longs = [n["name"] for n in names if n["kind"] == "long"]
    return longs[0] if longs else None


def option_item(a):
    """The .It line of an option or argument."""
    if a["kind"] == "positional":
        return ".It Ar " + a.get("valueName", "value") + (" ..." if a.get("isRepeating") else "")
    flags = []
    for n in a.get("names") or []:
        flags.append(("Fl \\-" if n["kind"] == "long" else "Fl ") + n["name"])
    item = ".It " + " , ".join(flags)
    if a["kind"] == "option":
        item += " Ar " + a.get("valueName", "value")
    return item


def describe(a):
    out = text_lines(a.get("abstract", "") or "")
    extra = []
    if a.get("allValues"):
        extra.append("Values: " + ", ".join(a["allValues"]) + ".")
    if a.get("defaultValue") not in (None, "", "false"):
        extra.append("Default: " + a["defaultValue"] + ".")
    if extra:
        out += text_lines(" ".join(extra))
    if a.get("discussion"):
        out += text_lines(a["discussion"]) if isinstance(a["discussion"], str) else []
    return out


def visible_args(command):
    return [a for a in command.get("arguments") or [] if a.get("shouldDisplay", True) and arg_name(a) not in ("help", "version")]


def common_abstracts(root):
    """Each common option as most commands describe it (a few give the same name another meaning)."""
    seen = {}

    def walk(c):
        for a in visible_args(c):
            n = arg_name(a)
            if n in COMMON:
                seen.setdefault(n, {}).setdefault(a.get("abstract"), [0, a])[0] += 1
        for s in c.get("subcommands") or []:
            walk(s)

    walk(root)
    return {n: max(by.values(), key=lambda v: v[0])[1] for n, by in seen.items()}


def is_common(a, common):
    n = arg_name(a)
    return n in common and common[n].get("abstract") == a.get("abstract")


def synopsis(path, command, common):
    out = [".Nm vault", ".Cm " + " ".join(path)]
    args = visible_args(command)
    if any(a["kind"] != "positional" and (a.get("isOptional", True)) for a in args):
        out.append(".Op Ar options")
    for a in args:
        if a["kind"] == "option" and not a.get("isOptional", True):
            out.append(".Fl \\-%s Ar %s" % (arg_name(a), a.get("valueName", "value")))
    for a in args:
        if a["kind"] == "positional":
            word = "Ar " + a.get("valueName", "value") + (" ..." if a.get("isRepeating") else "")
            out.append((".Op " if a.get("isOptional") else ".") + word)
    return out


def leaves(command, path):
    """(path, command) of every runnable command under `command`, depth first."""
    subs = [s for s in command.get("subcommands") or [] if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    out = [] if subs else [(path, command)]
    for s in subs:
        out += leaves(s, path + [s["commandName"]])
    return out


def command_section(path, command, common):
    out = [".Ss vault " + " ".join(path)]
    out += text_lines(command.get("abstract", "") or "")
    out += prose(command.get("discussion", "") or "")
    args = visible_args(command)
    own = [a for a in args if not is_common(a, common)]
    shared = [arg_name(a) for a in args if is_common(a, common)]
    if own:
        out += [".Pp", ".Bl -tag -width Ds"]
        for a in own:
            out.append(option_item(a))
            out += describe(a)
        out += [".El"]
    if shared:
        out += [".Pp", "Common options, described in", ".Xr vault 1 :", ".Fl " + " , Fl ".join("\\-" + n for n in shared)]
    return out


def env_section(page):
    rows = ENV_COMMON + ENV_EXTRA.get(page, [])
    out = [".Sh ENVIRONMENT", ".Bl -tag -width Ds"]
    for name, what in rows:
        out += [".It Ev " + name] + text_lines(what)
    return out + [".El"]


def files_section(page):
    rows = FILES + FILES_EXTRA.get(page, [])
    out = [".Sh FILES", "VAULT stands for the vault directory.", ".Bl -tag -width Ds"]
    for name, what in rows:
        out += [".It Pa " + name] + text_lines(what)
    return out + [".El"]


def exit_section(root):
    out = [".Sh EXIT STATUS", ".Bl -tag -width Ds"]
    m = re.search(r"EXIT STATUS\n((?:[ \t]+\d+.*\n?)+)", root.get("discussion", ""))
    for line in (m.group(1) if m else "").splitlines():
        code, _, what = line.strip().partition(" ")
        out += [".It " + code] + text_lines(what.strip()[0].upper() + what.strip()[1:] + ".")
    return out + [".El"]


def see_also(page, pages):
    others = sorted(p for p in pages if p != page)
    out = [".Sh SEE ALSO"]
    refs = [(p, "1") for p in others]
    for i, (name, sec) in enumerate(refs):
        out.append(".Xr %s %s%s" % (name, sec, " ," if i < len(refs) - 1 else ""))
    out += [".Pp", "OPERATIONS.md, THREAT-MODEL.md and FORMAT.md in the documentation directory", "(/usr/local/share/doc/vault by default)."]
    return out


def header(page, description, date):
    return [
        ".Dd " + date,
        ".Dt " + page.upper() + " 1",
        ".Os",
        ".Sh NAME",
        ".Nm " + page,
        ".Nd " + description,
    ]


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    root = run_dump(binary)
    common = common_abstracts(root)
    tops = {s["commandName"]: s for s in root.get("subcommands") or [] if s.get("shouldDisplay", True) and s["commandName"] != "help"}
    pages = [(p, [c for c in cmds if c in tops], d) for p, cmds, d in PAGES]
    named = {c for _, cmds, _ in pages for c in cmds}
    for name in tops:
        if name not in named:
            pages.append(("vault-" + name, [name], (tops[name].get("abstract") or name).rstrip(".").lower()))
    pages = [p for p in pages if p[1]]
    names = ["vault"] + [p for p, _, _ in pages]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or None
    day = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) if epoch else datetime.datetime.now(datetime.timezone.utc)
    date = day.strftime("%B %-d, %Y")
    os.makedirs(outdir, exist_ok=True)
    written = []

    # vault(1): the overview, the common options, the pages.
    out = header("vault", "encrypted, tamper-evident records for counseling and therapy practices", date)
    out += [".Sh SYNOPSIS", ".Nm", ".Op Ar options", ".Ar command", ".Op Ar arguments", ".Sh DESCRIPTION"]
    out += text_lines(root.get("abstract", ""))
    discussion = re.sub(r"\n\s*EXIT STATUS\n(?:[ \t]+\d+.*\n?)+", "\n", root.get("discussion", ""))
    out += prose(discussion)
    out += [".Pp", "The commands, and the page that describes each:", ".Bl -tag -width Ds"]
    for page, cmds, _ in pages:
        for c in cmds:
            out += [".It Cm " + c] + text_lines(tops[c].get("abstract", "").rstrip(".") + ":") + [".Xr %s 1 ." % page]
    out += [".El", ".Sh OPTIONS"] + text_lines("Every command that uses a vault takes these; they may also come before the command.") + [ ".Bl -tag -width Ds"]
    for n in COMMON:
        if n in common:
            out.append(option_item(common[n]))
            out += describe(common[n])
    out += [".It Fl h , Fl \\-help", "Show a command's help.", ".It Fl \\-version", "Show the version.", ".El"]
    out += env_section("vault") + files_section("vault") + exit_section(root) + see_also("vault", names)
    written.append(write(outdir, "vault", out))

    for page, cmds, description in pages:
        commands = []
        for c in cmds:
            commands += leaves(tops[c], [c])
        out = header(page, description, date)
        out += [".Sh SYNOPSIS"]
        for i, (path, command) in enumerate(commands):
            if i:
                out.append(".Pp")
            out += synopsis(path, command, common)
        out += [".Sh DESCRIPTION"]
        for c in cmds:
            if tops[c].get("subcommands"):
                out += text_lines(tops[c].get("abstract", ""))
                out += prose(tops[c].get("discussion", "") or "")
                out += [".Pp"]
        out += ["The commands:"]
        for path, command in commands:
            out += command_section(path, command, common)
        out += env_section(page) + files_section(page) + exit_section(root) + see_also(page, names)
        written.append(write(outdir, page, out))
    print("\n".join(written))


def write(outdir, page, lines):
    # Paragraph macros right after a section or list start are redundant (mandoc warns).
    clean = []
    for line in lines:
        if line == ".Pp" and clean and (clean[-1].startswith((".Sh", ".Ss", ".Pp", ".Bl", ".It")) ):
            continue
        clean.append(line)
    while clean and clean[-1] == ".Pp":
        clean.pop()
    fixed = []
    for i, line in enumerate(clean):
        if line == ".Pp" and i + 1 < len(clean) and clean[i + 1].startswith((".Sh", ".Ss", ".El", ".Bl", ".Bd")):
            continue
        fixed.append(line)
    path = os.path.join(outdir, page + ".1")
    with open(path, "w") as f:
        f.write("\n".join(fixed) + "\n")
    return path


if __name__ == "__main__":
    main()
