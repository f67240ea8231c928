#!/usr/bin/env python3
"""Opens a self-decrypting HTML export (FORMAT.md, "HTML export") in real headless Chromium, as a
client would: loads the file from disk, types the passphrase, presses Open (or Enter), waits for
the page to say it is open or refused, and reports what it shows.

    python3 scripts/browser-check.py FILE.html --passphrase-file F [--screenshot OUT.png]
        [--submit click|enter] [--downloads DIR] [--pdf OUT.pdf] [--phone] [--timeout 60]

Prints one JSON object: state ("open", "wrong-passphrase", "error", or "timeout"), status (the
message the page shows), title, recordText (the sandboxed record's text), documents (the names
the page lists), scriptRan (whether any script from decrypted content ran: the markers a hostile
payload sets — window.pwned in the page or the record, a changed title — and any script the
browser reported running or failing there), console (what the browser logged), screenshot (bytes
written), downloads (files saved by clicking each document, with --downloads), pdfPages (pages
of what printing the opened page gives, with --pdf).

Chromium is driven over --remote-debugging-pipe (the DevTools protocol on fds 3 and 4, messages
ending with NUL): no network port, no Python packages beyond the standard library. The passphrase
comes from a file, never argv. Exit 0 when the check ran (whatever the page said), 2 when it could
not run (no Chromium, the browser died, the protocol failed).
"""
import argparse
import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    """One headless Chromium and a DevTools session on one page."""

    def __init__(self, executable, timeout):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="vault-browser-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Moved above 10 so the child can place them on 3 and 4 without clobbering either.
        high_r = fcntl_dup(to_chrome_r)
        high_w = fcntl_dup(from_chrome_w)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def place():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-dev-shm-usage", "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=place, pass_fds=(3, 4))
        os.close(high_r)
        os.close(high_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.send("Browser.close", session=False, wait=False)
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it start? exit status %s)" % self.process.poll())
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method, params=None, session=True, wait=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self.read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError("evaluating %r: %s" % (expression[:60], result["exceptionDetails"].get("text")))
        return result["result"].get("value")

    def drain(self):
        """Collects the events that arrived while nothing was asked."""
        while True:
            ready, _, _ = select.select([self.from_chrome], [], [], 0)
            if not ready and b"\0" not in self.buffer:
                return
            self.events.append(self.read_message(time.monotonic() + self.timeout))

    def wait_for(self, expression, timeout):
        """Polls `expression` until it is truthy (or the time is up); returns its last value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)


def fcntl_dup(fd):
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD, 10)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


HOSTILE = """(() => {
  const frame = document.getElementById('record');
  const out = { page: typeof window.pwned !== 'undefined' ? String(window.pwned) : null, frame: null, frameMarker: null,
    frameNavigated: false, title: document.title };
  try {
    const w = frame && frame.contentWindow, d = frame && frame.contentDocument;
    // A frame navigated elsewhere (by a script or a refresh) is no longer the record's document.
    if (frame && !d) out.frameNavigated = true;
    if (w && d && typeof w.pwned !== 'undefined') out.frame = String(w.pwned);
    if (d && d.documentElement) out.frameMarker = d.documentElement.getAttribute('data-pwned');
  } catch (e) { out.frameNavigated = true; }
  return out;
})()"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--passphrase-file", required=True)
    parser.add_argument("--screenshot")
    parser.add_argument("--pdf", help="print the opened page to this PDF (what the browser's print gives)")
    parser.add_argument("--submit", choices=["click", "enter"], default="click")
    parser.add_argument("--downloads", help="click every listed document and save it here")
    parser.add_argument("--phone", action="store_true", help="a phone-sized touch viewport (412x915)")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM") or find_chromium())
    args = parser.parse_args()
    if not args.chromium:
        print("browser-check: no chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    with open(args.passphrase_file, encoding="utf-8") as f:
        passphrase = f.readline().rstrip("\n")

    browser = Browser(args.chromium, args.timeout)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            browser.send(domain)
        if args.phone:
            browser.send("Emulation.setDeviceMetricsOverride", {"width": 412, "height": 915, "deviceScaleFactor": 2, "mobile": True})
            browser.send("Emulation.setTouchEmulationEnabled", {"enabled": True})
        else:
            browser.send("Emulation.setDeviceMetricsOverride", {"width": 1000, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        if args.downloads:
            os.makedirs(args.downloads, exist_ok=True)
            browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": os.path.abspath(args.downloads),
                                                         "eventsEnabled": True}, session=False)
        browser.send("Page.navigate", {"url": "file://" + os.path.abspath(args.file)})
        if not browser.wait_for("document.readyState === 'complete' && !!document.getElementById('passphrase')", args.timeout):
            raise RuntimeError("the page did not load (no passphrase field)")
        title_before = browser.evaluate("document.title")
        browser.evaluate("document.getElementById('passphrase').focus()")
        browser.send("Input.insertText", {"text": passphrase})
        if args.submit == "enter":
            for kind in ("keyDown", "keyUp"):
                browser.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                                                        "nativeVirtualKeyCode": 13, **({"text": "\r"} if kind == "keyDown" else {})})
        else:
            box = browser.evaluate("(() => { const r = document.getElementById('open').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
            for kind in ("mousePressed", "mouseReleased"):
                browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})
        state = browser.wait_for(
            "['open', 'wrong-passphrase', 'error'].includes(document.body.dataset.state) ? document.body.dataset.state : ''", args.timeout)
        report = {"state": state or "timeout"}
        report["status"] = browser.evaluate("document.getElementById('status').textContent")
        report["title"] = browser.evaluate("document.title")
        report["recordText"] = browser.evaluate(
            "(() => { const f = document.getElementById('record'); const d = f && f.contentDocument;"
            " return d && d.body && document.body.dataset.state === 'open' ? d.body.innerText : ''; })()")
        report["documents"] = browser.evaluate("Array.from(document.querySelectorAll('#documents a')).map(a => a.textContent)")
        report["documentLinksInRecord"] = browser.evaluate(
            "(() => { const d = document.getElementById('record').contentDocument;"
            " return d ? Array.from(d.querySelectorAll('a[download]')).map(a => a.getAttribute('download')) : []; })()")
        markers = browser.evaluate(HOSTILE)
        report["markers"] = markers
        if args.downloads and state == "open":
            names = report["documents"]
            browser.evaluate("Array.from(document.querySelectorAll('#documents a')).forEach(a => a.click())")
            done = set()
            deadline = time.monotonic() + args.timeout
            while len(done) < len(names) and time.monotonic() < deadline:
                browser.drain()
                done = {e["params"]["guid"] for e in browser.events
                        if e.get("method") == "Browser.downloadProgress" and e["params"].get("state") == "completed"}
                time.sleep(0.05)
            report["downloads"] = sorted(os.listdir(args.downloads))
        if args.screenshot:
            metrics = browser.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                           "clip": {"x": 0, "y": 0, "width": size["width"],
                                                                    "height": min(size["height"], 8000), "scale": 1}})
            data = base64.b64decode(shot["data"])
            with open(args.screenshot, "wb") as f:
                f.write(data)
            report["screenshot"] = len(data)
        if args.pdf:
            pdf = base64.b64decode(browser.send("Page.printToPDF", {"printBackground": False})["data"])
            with open(args.pdf, "wb") as f:
                f.write(pdf)
            report["pdfPages"] = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        browser.drain()
        console = []
        for e in browser.events:
            if e.get("method") == "Runtime.consoleAPICalled":
                console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"].get("args", [])))
            elif e.get("method") == "Log.entryAdded":
                console.append(e["params"]["entry"].get("text", ""))
            elif e.get("method") == "Runtime.exceptionThrown":
                console.append("exception: " + e["params"]["exceptionDetails"].get("text", ""))
        report["console"] = console
        report["scriptRan"] = bool(markers["page"] or markers["frame"] or markers["frameMarker"] or markers["title"] != title_before
                                   or any("exception" in c for c in console))
        print(json.dumps(report))
        return 0
    except (RuntimeError, TimeoutError, OSError) as e:
        print("browser-check: %s" % e, file=sys.stderr)
        return 2
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
