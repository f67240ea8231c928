// vault-fuzz: the libFuzzer harness of every parser of untrusted bytes (issue 12, evidence 4).
//
// Built two ways from the same sources:
// - `make fuzz` / `make fuzz-short` (scripts/fuzz.sh): `swift build --product vault-fuzz
//   -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DVAULT_FUZZ` in
//   .build-fuzz; FUZZ_TARGET=<name> picks the target, the arguments are libFuzzer's.
// - a plain `swift build`: a replay tool, `vault-fuzz TARGET FILE|DIR...`, that runs inputs (a
//   crash file, a corpus) through the same target without libFuzzer, and `vault-fuzz --list`.
//
// It needs `@testable import VaultCore` (several parsers are internal), which only debug builds
// allow; a release build compiles it to a stub that says so.
#if canImport(Glibc)
  import Glibc
#endif

#if DEBUG
  #if VAULT_FUZZ
    import CVaultFuzz

    /// One input. Any bytes must return normally: a trap, a failed check, a hang or a huge
    /// allocation is what libFuzzer reports. (Also named for libFuzzer's own main, which the
    /// linker pulls in with the rest of its archive but which never runs.)
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
      FuzzTargets.current?.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
      return 0
    }
  #endif

  @main
  struct Main {
    static func main() {
      #if VAULT_FUZZ
        // SwiftPM makes this function the executable's `main`, so libFuzzer's own main is not
        // used: hand over to its driver, which parses the usual -flags and corpus directories.
        let name = getenv("FUZZ_TARGET").map { String(cString: $0) }
        if name == "--list" {
          for t in FuzzTargets.all { print(t.name) }
          return
        }
        guard let name, let target = FuzzTargets.named(name) else {
          FuzzTargets.die("set FUZZ_TARGET to one of: \(FuzzTargets.all.map(\.name).joined(separator: " "))")
        }
        FuzzTargets.current = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
      #else
        replay()
      #endif
    }

    static func replay() {
      let args = Array(CommandLine.arguments.dropFirst())
      if args.first == "--list" {
        for t in FuzzTargets.all { print(t.name) }
        return
      }
      if args.first == "--seeds", args.count == 2 {
        FuzzTargets.writeSeeds(to: args[1])
        return
      }
      guard args.count >= 2, let target = FuzzTargets.named(args[0]) else {
        FuzzTargets.die(
          "usage: vault-fuzz TARGET FILE|DIR...  (runs inputs through a fuzz target without libFuzzer)\n"
            + "       vault-fuzz --list | --seeds DIR  (the seeds derived from the fixture vault)\n"
            + "targets: \(FuzzTargets.all.map(\.name).joined(separator: " "))")
      }
      var count = 0
      for path in args.dropFirst() {
        for file in FuzzTargets.files(at: path) {
          guard let bytes = FuzzTargets.read(file) else { FuzzTargets.die("cannot read \(file)") }
          target.run(bytes)
          count += 1
        }
      }
      print("\(target.name): \(count) input(s) ran without a crash")
    }
  }
#else
  @main
  struct Replay {
    static func main() {
      print("vault-fuzz needs a debug build (it uses @testable import VaultCore): swift build --product vault-fuzz")
      exit(2)
    }
  }
#endif
