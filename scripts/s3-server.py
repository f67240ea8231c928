#!/usr/bin/env python3
"""A throwaway SeaweedFS S3 server on loopback, for tests and benchmarks.

  s3-server.py start DIR [--watch-pid PID] [--bucket NAME]
      Starts `weed server` with its data in DIR, every port a free loopback one, one S3 identity
      (random access key and secret); waits (bounded) until S3 answers and the bucket exists.
      Prints the endpoint (http://127.0.0.1:PORT) and writes DIR/env: AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY, AWS_REGION, VAULT_S3_ENDPOINT, VAULT_S3_BUCKET (shell syntax).
      Started again on a DIR whose server was killed, it reuses the same ports, keys and data.
      VAULT_S3_WEED_ARGS adds flags to `weed server` (e.g. a tiny capacity, for full-disk tests).
      --watch-pid: the server is stopped (and DIR removed) when process PID ends, so a test
      run that crashes leaves no server behind.
  s3-server.py kill DIR    SIGKILL the server, keep DIR (fault tests: start it again later).
  s3-server.py stop DIR    stop the server and remove DIR.
"""
import datetime, hashlib, hmac, json, os, secrets, shutil, signal, socket, subprocess, sys, time
import urllib.error, urllib.request

PORTS = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc", "iam", "metrics"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(method, url_path, host, key, secret, region, body=b""):
    """AWS Signature V4 headers for a request with no query string."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, url_path, "", "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, payload])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={sig}"
    del headers["host"]
    return headers


def request(cfg, method, path):
    host = f"127.0.0.1:{cfg['ports']['s3']}"
    req = urllib.request.Request(f"http://{host}{path}", method=method,
                                 headers=sign(method, path, host, cfg["key"], cfg["secret"], cfg["region"]))
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def start(d, watch_pid, bucket):
    os.makedirs(d, exist_ok=True)
    cfg_path = os.path.join(d, "server.json")
    if os.path.exists(cfg_path):
        cfg = json.load(open(cfg_path))
    else:
        cfg = {"ports": {p: free_port() for p in PORTS}, "key": "vaulttest" + secrets.token_hex(6),
               "secret": secrets.token_hex(20), "region": "us-east-1", "bucket": bucket}
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
    p = cfg["ports"]
    with open(os.path.join(d, "s3.json"), "w") as f:
        json.dump({"identities": [{"name": "vault", "credentials": [{"accessKey": cfg["key"], "secretKey": cfg["secret"]}],
                                   "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}, f)
    data = os.path.join(d, "data")
    os.makedirs(data, exist_ok=True)
    args = ["weed", "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={os.path.join(d, 's3.json')}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-iam.port={p['iam']}", f"-metricsPort={p['metrics']}",
            "-master.volumeSizeLimitMB=256", "-volume.max=0", "-volume.preStopSeconds=0"]
    # Extra flags (later ones win), e.g. a tiny capacity for a server-side full-disk test:
    # VAULT_S3_WEED_ARGS="-master.volumeSizeLimitMB=1 -volume.max=1"
    args += os.environ.get("VAULT_S3_WEED_ARGS", "").split()
    log = open(os.path.join(d, "weed.log"), "ab")
    proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    with open(os.path.join(d, "pid"), "w") as f:
        f.write(str(proc.pid))
    # Bounded poll: S3 answers once master, volume and filer are up; the bucket then is created
    # (retried: the filer may still be starting behind an S3 port that already answers).
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"s3-server: weed exited with {proc.returncode}; see {d}/weed.log")
        try:
            status = request(cfg, "PUT", f"/{cfg['bucket']}")
            if status in (200, 409) and request(cfg, "GET", f"/{cfg['bucket']}") == 200:
                break
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    else:
        stop(d)
        sys.exit(f"s3-server: S3 did not come up within 60 s (last status {status})")
    endpoint = f"http://127.0.0.1:{p['s3']}"
    with open(os.path.join(d, "env"), "w") as f:
        f.write(f"AWS_ACCESS_KEY_ID={cfg['key']}\nAWS_SECRET_ACCESS_KEY={cfg['secret']}\nAWS_REGION={cfg['region']}\n"
                f"VAULT_S3_ENDPOINT={endpoint}\nVAULT_S3_BUCKET={cfg['bucket']}\n")
    os.chmod(os.path.join(d, "env"), 0o600)
    if watch_pid:
        # A detached watcher: stops the server once the owner is gone.
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                while alive(watch_pid):
                    time.sleep(1)
                stop(d)
            os._exit(0)
        os.wait()
    print(endpoint)


def alive(pid):
    """True while pid runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill(d, sig=signal.SIGKILL):
    try:
        pid = int(open(os.path.join(d, "pid")).read())
    except (OSError, ValueError):
        return
    try:
        os.killpg(pid, sig)  # weed runs in its own session: its group holds only it
    except ProcessLookupError:
        return
    for _ in range(200):
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        except ChildProcessError:
            pass
        if not alive(pid):
            break
        time.sleep(0.05)
    os.remove(os.path.join(d, "pid"))


def stop(d):
    kill(d, signal.SIGKILL)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("start", "stop", "kill"):
        sys.exit(__doc__)
    cmd, d = sys.argv[1], os.path.abspath(sys.argv[2])
    opts = sys.argv[3:]
    watch = int(opts[opts.index("--watch-pid") + 1]) if "--watch-pid" in opts else None
    bucket = opts[opts.index("--bucket") + 1] if "--bucket" in opts else "vault-test"
    {"start": lambda: start(d, watch, bucket), "stop": lambda: stop(d), "kill": lambda: kill(d)}[cmd]()
