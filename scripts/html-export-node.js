// Decrypts a self-decrypting HTML export (FORMAT.md, "HTML export") with the page's OWN decryptor
// under Node's WebCrypto: the script the page carries is taken out of the file and run as it is,
// without its DOM half (which runs only where there is a document).
//
//   node scripts/html-export-node.js FILE.html PASSPHRASE_FILE [--documents DIR]
//
// Prints one JSON object: {"ok":true,"record":HTML,"documents":[{part,name,path,mediaType,size,
// sha256}]} (the SHA-256 recomputed here from the decrypted bytes; --documents also writes them
// to DIR), or {"ok":false,"kind":"passphrase"|"damaged","message":…}. The passphrase comes from
// the first line of a file, never argv. Exit 0 either way; 2 when the harness itself cannot run.
"use strict";
const fs = require("fs");
const path = require("path");
const nodeCrypto = require("crypto");

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 2) throw new Error("usage: node html-export-node.js FILE.html PASSPHRASE_FILE [--documents DIR]");
  const html = fs.readFileSync(args[0], "utf8");
  const passphrase = fs.readFileSync(args[1], "utf8").split("\n")[0];
  const out = args[2] === "--documents" ? args[3] : null;

  const decryptor = html.match(/<script id="vault-decryptor">([\s\S]*?)<\/script>/);
  if (!decryptor) throw new Error("no <script id=\"vault-decryptor\"> in the file");
  const elements = new Map();
  for (const m of html.matchAll(/<script type="application\/octet-stream" id="([^"]+)">([^<]*)<\/script>/g)) {
    if (elements.has(m[1])) throw new Error("two elements with id " + m[1]);
    elements.set(m[1], m[2]);
  }
  const subtle = (globalThis.crypto || nodeCrypto.webcrypto).subtle;
  // The page's script, as the page runs it; `document` is undefined here, so only the decryptor is defined.
  const api = new Function(decryptor[1] + "\nreturn VaultHTMLExport;")();
  try {
    const result = await api.open((id) => (elements.has(id) ? elements.get(id) : null), passphrase, subtle, () => {});
    const documents = result.documents.map((d) => {
      if (out) fs.writeFileSync(path.join(out, d.name), d.bytes);
      return { part: d.part, name: d.name, path: d.path, mediaType: d.mediaType, size: d.bytes.length,
        sha256: nodeCrypto.createHash("sha256").update(d.bytes).digest("hex") };
    });
    process.stdout.write(JSON.stringify({ ok: true, record: result.record, documents }) + "\n");
  } catch (e) {
    if (!e.kind) throw e;
    process.stdout.write(JSON.stringify({ ok: false, kind: e.kind, message: e.message }) + "\n");
  }
}

main().catch((e) => {
  process.stderr.write("html-export-node: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(2);
});
