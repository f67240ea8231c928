/// The page around an HTML export's encrypted parts (FORMAT.md, "HTML export"): a passphrase
/// form, the decryptor, and the place where the record and its documents appear. Kept here as
/// text so the one binary carries it; the decryptor's SHA-256 is pinned in the page's
/// Content-Security-Policy, so no other script can run in the page.
enum HTMLExportPage {
  /// The one script of the page. `VaultHTMLExport.open` decrypts and checks everything and
  /// touches no DOM (tests run it under Node's WebCrypto, scripts/html-export-node.js); the rest
  /// runs only where there is a document. Decrypted content never runs as script: the record is
  /// shown in an iframe sandboxed without allow-scripts (and carries its own CSP forbidding
  /// scripts), documents are offered as downloads.
  static let script = #"""

    "use strict";
    var VaultHTMLExport = (function () {
      var MAGIC = "vault-html-export/1\n";
      var HEADER_SIZE = 48, MAX_ITERATIONS = 10000000, CHECK_PART = 0xFFFFFFFF;
      var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      var TABLE = new Int16Array(128).fill(-1);
      for (var i = 0; i < 64; i++) TABLE[ALPHABET.charCodeAt(i)] = i;

      function fail(kind, message) { var e = new Error(message); e.kind = kind; return e; }
      var DAMAGED = "This file is damaged or was changed after it was made, so it cannot be opened safely. Ask for a new copy.";

      // Base64 (RFC 4648, padded); ASCII whitespace is ignored.
      function base64(s) {
        var out = new Uint8Array(Math.floor(s.length / 4) * 3 + 3), o = 0, acc = 0, bits = 0, n = 0, pad = 0;
        for (var i = 0; i < s.length; i++) {
          var c = s.charCodeAt(i);
          if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12) continue;
          if (c === 61) { pad++; continue; }
          var v = c < 128 ? TABLE[c] : -1;
          if (v < 0 || pad > 0) throw fail("damaged", DAMAGED);
          acc = ((acc << 6) | v) & 0xFFFF; bits += 6; n++;
          if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 255; }
        }
        if (n % 4 === 1 || (n + pad) % 4 !== 0 || pad > 2) throw fail("damaged", DAMAGED);
        return out.subarray(0, o);
      }

      function u32(bytes, at) { return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3]; }

      function parseHeader(bytes) {
        if (bytes.length !== HEADER_SIZE) throw fail("damaged", DAMAGED);
        for (var i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw fail("damaged", DAMAGED);
        var iterations = u32(bytes, 20);
        if (iterations < 1 || iterations > MAX_ITERATIONS) throw fail("damaged", DAMAGED);
        return { bytes: bytes, iterations: iterations, salt: bytes.slice(24, 40), prefix: bytes.slice(40, 48) };
      }

      // nonce = prefix (8) ‖ part (u32, big-endian); AD = header (48) ‖ part (u32, big-endian) ‖ last (1 byte).
      function nonce(header, part) {
        var n = new Uint8Array(12); n.set(header.prefix, 0);
        n[8] = part >>> 24; n[9] = (part >>> 16) & 255; n[10] = (part >>> 8) & 255; n[11] = part & 255;
        return n;
      }
      function additionalData(header, part, last) {
        var ad = new Uint8Array(HEADER_SIZE + 5); ad.set(header.bytes, 0);
        ad.set(nonce(header, part).subarray(8), HEADER_SIZE); ad[HEADER_SIZE + 4] = last ? 1 : 0;
        return ad;
      }

      async function deriveKey(subtle, passphrase, header) {
        var base = await subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
        return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: header.salt, iterations: header.iterations },
          base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      }

      async function decrypt(subtle, key, header, part, last, sealed) {
        try {
          return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce(header, part),
            additionalData: additionalData(header, part, last), tagLength: 128 }, key, sealed));
        } catch (e) { return null; }
      }

      function hex(buffer) {
        return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      }

      // read(id) gives the text of the element with that id, or null; progress(text) reports.
      // Resolves to { record: HTML text, documents: [{ part, name, path, mediaType, size, sha256, bytes }] }.
      async function open(read, passphrase, subtle, progress) {
        progress = progress || function () {};
        var text = read("vault-header");
        if (text === null) throw fail("damaged", DAMAGED);
        var header = parseHeader(base64(text));
        if (passphrase.length === 0) throw fail("passphrase", "Type the passphrase first.");
        progress("Checking the passphrase…");
        var key = await deriveKey(subtle, passphrase, header);
        var check = read("vault-check");
        if (check === null) throw fail("damaged", DAMAGED);
        if ((await decrypt(subtle, key, header, CHECK_PART, false, base64(check))) === null) {
          throw fail("passphrase", "That passphrase does not open this file. Check it and try again: every letter and dash counts.");
        }
        progress("Decrypting the record…");
        var first = read("vault-part-0");
        var plain = first === null ? null : await decrypt(subtle, key, header, 0, false, base64(first));
        if (plain === null) throw fail("damaged", DAMAGED);
        var manifest;
        try { manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain)); } catch (e) { throw fail("damaged", DAMAGED); }
        if (manifest.format !== "vault-html-export/1" || typeof manifest.record !== "string" || !Array.isArray(manifest.documents)
          || manifest.parts !== manifest.documents.length + 1) throw fail("damaged", DAMAGED);
        if (read("vault-part-" + manifest.parts) !== null) throw fail("damaged", DAMAGED);
        var documents = [];
        for (var p = 1; p < manifest.parts; p++) {
          var d = manifest.documents[p - 1];
          if (!d || d.part !== p) throw fail("damaged", DAMAGED);
          progress("Decrypting document " + p + " of " + (manifest.parts - 1) + "…");
          var sealed = read("vault-part-" + p);
          var bytes = sealed === null ? null : await decrypt(subtle, key, header, p, p === manifest.parts - 1, base64(sealed));
          if (bytes === null || bytes.length !== d.size || hex(await subtle.digest("SHA-256", bytes)) !== d.sha256) throw fail("damaged", DAMAGED);
          documents.push({ part: p, name: String(d.name), path: String(d.path), mediaType: String(d.mediaType), size: d.size, sha256: d.sha256, bytes: bytes });
        }
        return { record: manifest.record, documents: documents };
      }

      return { open: open, base64: base64, parseHeader: parseHeader, nonce: nonce, additionalData: additionalData };
    })();

    if (typeof document !== "undefined") (function () {
      function $(id) { return document.getElementById(id); }
      function read(id) { var e = $(id); return e ? e.textContent : null; }
      // Types a browser may show itself; anything else (HTML, SVG, XML…) is only ever saved.
      var SHOWN = ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"];
      var busy = false;

      function state(s, message) { document.body.setAttribute("data-state", s); $("status").textContent = message || ""; }
      function size(n) {
        return n < 1024 ? n + " bytes" : n < 1048576 ? (n / 1024).toFixed(0) + " KB" : (n / 1048576).toFixed(1) + " MB";
      }

      $("show").addEventListener("change", function () { $("passphrase").type = $("show").checked ? "text" : "password"; });
      $("print").addEventListener("click", function () { window.print(); });
      $("form").addEventListener("submit", function (event) {
        event.preventDefault();
        if (busy) return;
        busy = true; $("open").disabled = true;
        state("working", "Opening… this can take a few seconds.");
        var passphrase = $("passphrase").value.replace(/^\s+|\s+$/g, "");
        Promise.resolve().then(function () {
          if (!window.crypto || !window.crypto.subtle) {
            var e = new Error("This browser cannot decrypt files (it lacks WebCrypto). Open the file in a current Chrome, Firefox, Safari or Edge.");
            e.kind = "browser"; throw e;
          }
          return VaultHTMLExport.open(read, passphrase, window.crypto.subtle, function (text) { $("status").textContent = text; });
        }).then(show, function (e) {
          busy = false; $("open").disabled = false;
          state(e.kind === "passphrase" ? "wrong-passphrase" : "error", e.kind ? e.message : "The file could not be opened: " + e.message);
          $("passphrase").focus(); $("passphrase").select();
        });
      });

      function show(result) {
        $("passphrase").value = "";
        var links = {};
        var list = $("documents");
        result.documents.forEach(function (d) {
          var type = SHOWN.indexOf(d.mediaType) >= 0 ? d.mediaType : "application/octet-stream";
          var url = URL.createObjectURL(new Blob([d.bytes], { type: type }));
          links[d.path] = { url: url, name: d.name };
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = url; a.download = d.name; a.textContent = d.name;
          li.appendChild(a); li.appendChild(document.createTextNode(" (" + size(d.size) + ")"));
          list.appendChild(li);
        });
        // The ciphertext is no longer needed.
        Array.prototype.slice.call(document.querySelectorAll("script[type='application/octet-stream']")).forEach(function (e) { e.remove(); });
        var frame = $("record");
        function fit() {
          var doc = frame.contentDocument;
          if (doc && doc.documentElement) frame.style.height = (doc.documentElement.scrollHeight + 16) + "px";
        }
        frame.addEventListener("load", function () {
          var doc = frame.contentDocument;
          if (doc) {
            // Links to the documents, as the record names them, save the decrypted copies.
            Array.prototype.forEach.call(doc.querySelectorAll("a[href]"), function (a) {
              var href = a.getAttribute("href"), plain = href;
              try { plain = decodeURIComponent(href); } catch (e) {}
              var target = links[href] || links[plain];
              if (target) { a.href = target.url; a.download = target.name; }
            });
          }
          fit();
          state("open", "");
        });
        window.addEventListener("resize", fit);
        window.addEventListener("beforeprint", fit);
        $("unlock").hidden = true;
        $("opened").hidden = false;
        frame.srcdoc = result.record;
      }
    })();

    """#

  /// The page up to the encrypted parts; `scriptHash` is the base64 SHA-256 of `script`.
  static func head(scriptHash: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-\(scriptHash)'; style-src 'unsafe-inline'; img-src blob: data:; base-uri 'none'; form-action 'none'">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Your record (encrypted)</title>
    <style>
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1a1a1a; background: #f4f4f2; line-height: 1.45; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
    #unlock { background: #fff; border-radius: 8px; padding: 1.25rem; max-width: 34rem; margin: 2rem auto; box-shadow: 0 1px 3px #0002; }
    h1 { font-size: 1.4rem; margin-top: 0; }
    label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
    input[type=password], input[type=text] { width: 100%; box-sizing: border-box; font-size: 1.15rem; padding: .6rem; border: 1px solid #888; border-radius: 6px; }
    .show { font-weight: normal; display: inline; }
    button { font-size: 1.05rem; padding: .6rem 1.4rem; border-radius: 6px; border: 0; background: #1d4f91; color: #fff; margin-top: 1rem; cursor: pointer; }
    button:disabled { background: #889; }
    #status { min-height: 1.5em; margin-top: 1rem; }
    body[data-state=wrong-passphrase] #status, body[data-state=error] #status { color: #a30000; font-weight: 600; }
    .small { font-size: .9rem; color: #444; }
    #opened { background: #fff; border-radius: 8px; padding: 1rem; }
    #documents li { margin: .4rem 0; }
    iframe { width: 100%; border: 1px solid #ccc; border-radius: 4px; min-height: 20rem; background: #fff; }
    @media print {
      body { background: #fff; }
      main { padding: 0; max-width: none; }
      #unlock, .bar, .docs { display: none; }
      #opened { padding: 0; }
      iframe { border: 0; }
    }
    </style>
    </head>
    <body data-state="locked">
    <main>
    <section id="unlock">
    <h1>Your record</h1>
    <p>This file holds a copy of your record, encrypted. Type the passphrase you were given separately, then choose Open. Nothing is sent anywhere: the file opens in this browser, without the internet.</p>
    <form id="form" autocomplete="off">
    <label for="passphrase">Passphrase</label>
    <input id="passphrase" type="password" autocomplete="off" autocapitalize="none" autocorrect="off" spellcheck="false" enterkeyhint="go">
    <label class="show"><input id="show" type="checkbox"> Show the passphrase</label><br>
    <button id="open" type="submit">Open</button>
    </form>
    <p id="status" role="status" aria-live="polite"></p>
    <noscript><p><strong>This file needs JavaScript to open.</strong> Open it in a web browser (Chrome, Firefox, Safari, Edge) with JavaScript on. A preview (for example in a mail or files app) cannot open it: save it, then open it in the browser.</p></noscript>
    <p class="small">Keep the opened record private: anyone with this file and the passphrase can read it. Documents you save stay on this device.</p>
    </section>
    <section id="opened" hidden>
    <div class="bar"><button id="print" type="button">Print</button></div>
    <div class="docs">
    <h2>Documents</h2>
    <p class="small">Choose a document to save it on this device.</p>
    <ul id="documents"></ul>
    </div>
    <iframe id="record" sandbox="allow-same-origin allow-downloads" title="Your record"></iframe>
    </section>
    </main>

    """
  }

  /// Closes the page after the encrypted parts: the decryptor, then the end tags.
  static var tail: String { "<script id=\"vault-decryptor\">\(script)</script>\n</body>\n</html>\n" }
}
