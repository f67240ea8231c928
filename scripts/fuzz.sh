#!/usr/bin/env bash
# Builds vault-fuzz with libFuzzer and AddressSanitizer and runs every fuzz target (or those in
# FUZZ_TARGETS) for FUZZ_SECONDS each; prints runs, coverage, corpus size and crashes per target.
# Exit status 1 if any target crashed, hung or ran out of memory; the input is kept under
# $SCRATCH/artifacts/<target>/ and the libFuzzer log under $SCRATCH/logs/<target>.log.
# Run from the repository root (the targets read the committed fixture vault).
set -uo pipefail
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SCRATCH=${FUZZ_SCRATCH:-.build-fuzz}
SEEDS=Tests/Fuzz/corpus
REGRESSIONS=Tests/Fuzz/regressions
# Swift's crash backtracer would run inside ASan's handler; libFuzzer's report is the one wanted.
export SWIFT_BACKTRACE=enable=no
SWIFT=${SWIFT:-swift}

echo "fuzz: building vault-fuzz (-sanitize=fuzzer,address) in $SCRATCH"
mkdir -p "$SCRATCH"
if ! $SWIFT build --product vault-fuzz --scratch-path "$SCRATCH" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DVAULT_FUZZ \
  > "$SCRATCH/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$SCRATCH/build.log" | tail -30
  echo "fuzz: build failed"; exit 2
fi
BIN=$($SWIFT build --scratch-path "$SCRATCH" --show-bin-path \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DVAULT_FUZZ)/vault-fuzz
TARGETS=${FUZZ_TARGETS:-$(FUZZ_TARGET=--list "$BIN")}

mkdir -p "$SCRATCH/logs" "$SCRATCH/work"
failed=()
printf '%-16s %10s %8s %6s %7s %8s  %s\n' target seconds runs exec/s cov corpus crashes
for t in $TARGETS; do
  corpus="$SCRATCH/corpus/$t"; artifacts="$SCRATCH/artifacts/$t/"; log="$SCRATCH/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  for d in "$SEEDS/$t" "$REGRESSIONS/$t"; do [ -d "$d" ] && seeds+=("$d"); done
  # -timeout: one input taking 10 s is a hang; -malloc_limit_mb: no single allocation of 256 MiB
  # is legitimate for inputs of at most a few hundred KiB; -rss_limit_mb bounds the whole process.
  start=$(date +%s%N)
  FUZZ_TARGET=$t FUZZ_WORKDIR="$SCRATCH/work" "$BIN" "$corpus" "${seeds[@]}" \
    -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -print_final_stats=1 -artifact_prefix="$artifacts" > "$log" 2>&1
  status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 )); elapsed="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  size=$(find "$corpus" -type f | wc -l)
  crashes=0
  if [ $status -ne 0 ]; then
    crashes=1; failed+=("$t")
  fi
  printf '%-16s %10s %8s %6s %7s %8s  %s\n' "$t" "$elapsed" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$size" "$crashes"
  if [ $status -ne 0 ]; then
    grep -E "ERROR: libFuzzer|ERROR: AddressSanitizer|CHECK FAILED|Fatal error|SUMMARY|Test unit written|deadly signal|timeout|out-of-memory" "$log" | head -8 | sed 's/^/    /'
  fi
done
rm -rf "$SCRATCH/work"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $SCRATCH/artifacts, logs in $SCRATCH/logs)"; exit 1
fi
echo "fuzz: no crash, hang or memory blow-up in $(echo $TARGETS | wc -w) targets x ${FUZZ_SECONDS}s"
