// faultshim: an LD_PRELOAD library that makes one chosen file-system call fail, for the
// fault-injection tests (Tests/VaultCLITests/FaultInjectionTests.swift, scripts/faults.py).
//
// Build:  cc -shared -fPIC -O2 -o faultshim.so faultshim.c -ldl
//
// Environment:
//   FAULT_DIR=DIR[:DIR...]  only calls on files inside these directories are counted (an fd is
//                           placed by its /proc/self/fd link, a path by its real parent directory);
//                           without FAULT_DIR the shim counts nothing and injects nothing.
//   FAULT_AT=N              the Nth counted call (1-based) fails; 0 or unset: none fails.
//   FAULT_ERRNO=ENOSPC|EIO  the errno it fails with (default EIO).
//   FAULT_STICKY=1          every counted call after the Nth fails too (a disk that stays full).
//   FAULT_COUNT_FILE=PATH   at exit, the number of counted calls is written there (a process
//                           that counted none only creates the file if it does not exist).
//   FAULT_TRACE=PATH        one line per counted call ("n call path"), and "FAULT n call path errno"
//                           for the injected one; appended as they happen, so it survives a crash.
//
// Counted calls: write, pwrite(64), writev, pwritev, fsync, fdatasync, syncfs, ftruncate(64),
// rename, renameat, renameat2, link, linkat, open/open64/openat/openat64 (and their _2
// fortified forms) when they create (O_CREAT or O_TMPFILE), creat, mkdir, mkdirat, unlink,
// unlinkat, rmdir, and syscall(SYS_openat2) with O_CREAT/O_TMPFILE. Reads are never counted.
// The failing call does nothing: the real call is not made.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

#define MAX_DIRS 8
static char dirs[MAX_DIRS][PATH_MAX];
static size_t dir_lens[MAX_DIRS];
static int ndirs = 0;
static long fault_at = 0;
static int fault_errno = EIO;
static int sticky = 0;
static long counter = 0;
static int ready = 0;
static char count_file[PATH_MAX];
static char trace_file[PATH_MAX];

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_creat)(const char *, mode_t);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_unlink)(const char *);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_rmdir)(const char *);
static long (*real_syscall)(long, ...);

#define RESOLVE(name) real_##name = dlsym(RTLD_NEXT, #name)

static void write_count(void);

// Other libraries' constructors (Swift's runtime calls syscall(2) in one) run before ours, so the
// real functions are looked up on first use.
static int resolved = 0;
static void resolve(void) {
  if (__atomic_load_n(&resolved, __ATOMIC_ACQUIRE)) return;
  RESOLVE(write); RESOLVE(pwrite); RESOLVE(pwrite64); RESOLVE(writev); RESOLVE(pwritev);
  RESOLVE(fsync); RESOLVE(fdatasync); RESOLVE(syncfs); RESOLVE(ftruncate); RESOLVE(ftruncate64);
  RESOLVE(rename); RESOLVE(renameat); RESOLVE(renameat2); RESOLVE(link); RESOLVE(linkat);
  RESOLVE(open); RESOLVE(open64); RESOLVE(openat); RESOLVE(openat64);
  RESOLVE(__open_2); RESOLVE(__open64_2); RESOLVE(__openat_2); RESOLVE(__openat64_2);
  RESOLVE(creat); RESOLVE(mkdir); RESOLVE(mkdirat); RESOLVE(unlink); RESOLVE(unlinkat);
  RESOLVE(rmdir); RESOLVE(syscall);
  __atomic_store_n(&resolved, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void shim_init(void) {
  resolve();

  const char *d = getenv("FAULT_DIR");
  if (d && *d) {
    char buf[PATH_MAX * 2];
    strncpy(buf, d, sizeof buf - 1);
    buf[sizeof buf - 1] = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ":", &save); tok && ndirs < MAX_DIRS; tok = strtok_r(NULL, ":", &save)) {
      // The directory may not exist yet (a backup destination): keep it as given, made absolute.
      if (!realpath(tok, dirs[ndirs])) {
        if (tok[0] == '/') snprintf(dirs[ndirs], PATH_MAX, "%s", tok);
        else {
          char cwd[PATH_MAX];
          if (!getcwd(cwd, sizeof cwd)) continue;
          if (snprintf(dirs[ndirs], PATH_MAX, "%s/%s", cwd, tok) >= PATH_MAX) continue;
        }
      }
      size_t n = strlen(dirs[ndirs]);
      while (n > 1 && dirs[ndirs][n - 1] == '/') dirs[ndirs][--n] = 0;
      dir_lens[ndirs] = n;
      ndirs++;
    }
  }
  const char *at = getenv("FAULT_AT");
  if (at) fault_at = strtol(at, NULL, 10);
  const char *e = getenv("FAULT_ERRNO");
  if (e && strcmp(e, "ENOSPC") == 0) fault_errno = ENOSPC;
  else if (e && strcmp(e, "EDQUOT") == 0) fault_errno = EDQUOT;
  else if (e && strcmp(e, "EROFS") == 0) fault_errno = EROFS;
  else if (e && *e >= '0' && *e <= '9') fault_errno = atoi(e);
  const char *s = getenv("FAULT_STICKY");
  sticky = s && *s == '1';
  const char *c = getenv("FAULT_COUNT_FILE");
  if (c) snprintf(count_file, sizeof count_file, "%s", c);
  const char *t = getenv("FAULT_TRACE");
  if (t) snprintf(trace_file, sizeof trace_file, "%s", t);
  if (count_file[0]) atexit(write_count);
  ready = 1;
}

static int count_written = 0;
static void write_count(void) {
  if (__atomic_exchange_n(&count_written, 1, __ATOMIC_SEQ_CST)) return;
  resolve();
  if (!count_file[0] || !real_open) return;
  // A wrapper process (setsid, env, a shell) loads the shim too and counts nothing: its zero
  // must not overwrite the count of the process it ran.
  long n_calls = __atomic_load_n(&counter, __ATOMIC_SEQ_CST);
  int fd = real_open(count_file, O_WRONLY | O_CREAT | O_CLOEXEC | (n_calls ? O_TRUNC : O_EXCL), 0644);
  if (fd < 0) return;
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%ld\n", n_calls);
  real_write(fd, buf, (size_t)n);
  close(fd);
}

__attribute__((destructor)) static void shim_fini(void) { write_count(); }

static int inside(const char *abs) {
  for (int i = 0; i < ndirs; i++) {
    size_t n = dir_lens[i];
    if (strncmp(abs, dirs[i], n) == 0 && (abs[n] == 0 || abs[n] == '/')) return 1;
  }
  return 0;
}

// The path an fd refers to ("" when unknown).
static void fd_path(int fd, char *out, size_t size) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(proc, out, size - 1);
  out[n > 0 ? n : 0] = 0;
}

// An absolute, symlink-resolved form of `path` relative to `dirfd`, resolving the parent only
// (the last component may not exist yet, or be a symlink itself).
static void abs_path(int dirfd, const char *path, char *out, size_t size) {
  char joined[PATH_MAX * 2];
  if (!path) { out[0] = 0; return; }
  if (path[0] == '/') snprintf(joined, sizeof joined, "%s", path);
  else {
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) { if (!getcwd(base, sizeof base)) base[0] = 0; }
    else fd_path(dirfd, base, sizeof base);
    snprintf(joined, sizeof joined, "%s/%s", base, path);
  }
  size_t n = strlen(joined);
  while (n > 1 && joined[n - 1] == '/') joined[--n] = 0;
  char *slash = strrchr(joined, '/');
  char parent[PATH_MAX], resolved[PATH_MAX];
  if (slash && slash != joined) {
    size_t plen = (size_t)(slash - joined);
    if (plen >= sizeof parent) plen = sizeof parent - 1;
    memcpy(parent, joined, plen);
    parent[plen] = 0;
    if (realpath(parent, resolved)) { snprintf(out, size, "%s%s", resolved, slash); return; }
  }
  snprintf(out, size, "%s", joined);
}

static void trace(const char *tag, long n, const char *call, const char *a, const char *b) {
  if (!trace_file[0]) return;
  int saved = errno;
  int fd = real_open(trace_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    char line[PATH_MAX * 2 + 128];
    int len = snprintf(line, sizeof line, "%s%ld %s %s%s%s\n", tag, n, call, a, b ? " -> " : "", b ? b : "");
    if (len > (int)sizeof line - 1) { len = (int)sizeof line - 1; line[len - 1] = '\n'; }
    real_write(fd, line, (size_t)len);
    close(fd);
  }
  errno = saved;
}

// Counts a call if it touches FAULT_DIR; returns 1 when this call must fail (errno is set).
static int hit(const char *call, const char *a, const char *b) {
  if (!ready || ndirs == 0) return 0;
  if (!inside(a) && !(b && inside(b))) return 0;
  long n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
  int fail = fault_at > 0 && (n == fault_at || (sticky && n > fault_at));
  trace(fail ? "FAULT " : "", n, call, a, b);
  if (fail) errno = fault_errno;
  return fail;
}

static int hit_fd(const char *call, int fd) {
  if (!ready || ndirs == 0) return 0;
  char p[PATH_MAX];
  fd_path(fd, p, sizeof p);
  return hit(call, p, NULL);
}

static int hit_path(const char *call, int dirfd, const char *path) {
  if (!ready || ndirs == 0) return 0;
  char p[PATH_MAX];
  abs_path(dirfd, path, p, sizeof p);
  return hit(call, p, NULL);
}

static int hit_two(const char *call, int d1, const char *p1, int d2, const char *p2) {
  if (!ready || ndirs == 0) return 0;
  char a[PATH_MAX], b[PATH_MAX];
  abs_path(d1, p1, a, sizeof a);
  abs_path(d2, p2, b, sizeof b);
  return hit(call, a, b);
}

static int creates(int flags) { return (flags & O_CREAT) || ((flags & O_TMPFILE) == O_TMPFILE); }

// ---- fd calls ----
ssize_t write(int fd, const void *buf, size_t n) {
  resolve();
  if (hit_fd("write", fd)) return -1;
  return real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  resolve();
  if (hit_fd("pwrite", fd)) return -1;
  return real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
  resolve();
  if (hit_fd("pwrite64", fd)) return -1;
  return real_pwrite64(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  resolve();
  if (hit_fd("writev", fd)) return -1;
  return real_writev(fd, iov, cnt);
}
ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
  resolve();
  if (hit_fd("pwritev", fd)) return -1;
  return real_pwritev(fd, iov, cnt, off);
}
int fsync(int fd) {
  resolve();
  if (hit_fd("fsync", fd)) return -1;
  return real_fsync(fd);
}
int fdatasync(int fd) {
  resolve();
  if (hit_fd("fdatasync", fd)) return -1;
  return real_fdatasync(fd);
}
int syncfs(int fd) {
  resolve();
  if (hit_fd("syncfs", fd)) return -1;
  return real_syncfs(fd);
}
int ftruncate(int fd, off_t len) {
  resolve();
  if (hit_fd("ftruncate", fd)) return -1;
  return real_ftruncate(fd, len);
}
int ftruncate64(int fd, off_t len) {
  resolve();
  if (hit_fd("ftruncate64", fd)) return -1;
  return real_ftruncate64(fd, len);
}

// ---- path calls ----
int rename(const char *a, const char *b) {
  resolve();
  if (hit_two("rename", AT_FDCWD, a, AT_FDCWD, b)) return -1;
  return real_rename(a, b);
}
int renameat(int da, const char *a, int db, const char *b) {
  resolve();
  if (hit_two("renameat", da, a, db, b)) return -1;
  return real_renameat(da, a, db, b);
}
int renameat2(int da, const char *a, int db, const char *b, unsigned int flags) {
  resolve();
  if (hit_two("renameat2", da, a, db, b)) return -1;
  return real_renameat2(da, a, db, b, flags);
}
int link(const char *a, const char *b) {
  resolve();
  // Only the new name matters: linking from an outside file into the vault creates inside it.
  if (hit_path("link", AT_FDCWD, b)) return -1;
  return real_link(a, b);
}
int linkat(int da, const char *a, int db, const char *b, int flags) {
  resolve();
  if (hit_path("linkat", db, b)) return -1;
  return real_linkat(da, a, db, b, flags);
}
// mkdir on an existing name fails with EEXIST before any space is needed: not a fault point.
static int exists(int d, const char *p) {
  struct stat st;
  return fstatat(d, p, &st, AT_SYMLINK_NOFOLLOW) == 0;
}
int mkdir(const char *p, mode_t m) {
  resolve();
  if (!exists(AT_FDCWD, p) && hit_path("mkdir", AT_FDCWD, p)) return -1;
  return real_mkdir(p, m);
}
int mkdirat(int d, const char *p, mode_t m) {
  resolve();
  if (!exists(d, p) && hit_path("mkdirat", d, p)) return -1;
  return real_mkdirat(d, p, m);
}
int unlink(const char *p) {
  resolve();
  if (hit_path("unlink", AT_FDCWD, p)) return -1;
  return real_unlink(p);
}
int unlinkat(int d, const char *p, int flags) {
  resolve();
  if (hit_path("unlinkat", d, p)) return -1;
  return real_unlinkat(d, p, flags);
}
int rmdir(const char *p) {
  resolve();
  if (hit_path("rmdir", AT_FDCWD, p)) return -1;
  return real_rmdir(p);
}

// ---- opens that create ----
#define OPEN_MODE(flags, mode)                    \
  mode_t mode = 0;                                \
  if (creates(flags)) {                           \
    va_list ap;                                   \
    va_start(ap, flags);                          \
    mode = (mode_t)va_arg(ap, int);               \
    va_end(ap);                                   \
  }

int open(const char *p, int flags, ...) {
  resolve();
  OPEN_MODE(flags, mode);
  if (creates(flags) && hit_path("open", AT_FDCWD, p)) return -1;
  return real_open(p, flags, mode);
}
int open64(const char *p, int flags, ...) {
  resolve();
  OPEN_MODE(flags, mode);
  if (creates(flags) && hit_path("open64", AT_FDCWD, p)) return -1;
  return real_open64(p, flags, mode);
}
int openat(int d, const char *p, int flags, ...) {
  resolve();
  OPEN_MODE(flags, mode);
  if (creates(flags) && hit_path("openat", d, p)) return -1;
  return real_openat(d, p, flags, mode);
}
int openat64(int d, const char *p, int flags, ...) {
  resolve();
  OPEN_MODE(flags, mode);
  if (creates(flags) && hit_path("openat64", d, p)) return -1;
  return real_openat64(d, p, flags, mode);
}
// The fortified forms never create (they abort on O_CREAT without a mode), so they are
// passed through; they exist here only so that a future caller is not silently missed.
int __open_2(const char *p, int flags) { resolve(); return real___open_2(p, flags); }
int __open64_2(const char *p, int flags) { resolve(); return real___open64_2(p, flags); }
int __openat_2(int d, const char *p, int flags) { resolve(); return real___openat_2(d, p, flags); }
int __openat64_2(int d, const char *p, int flags) { resolve(); return real___openat64_2(d, p, flags); }
int creat(const char *p, mode_t m) {
  resolve();
  if (hit_path("creat", AT_FDCWD, p)) return -1;
  return real_creat(p, m);
}

// openat2 has no glibc wrapper before 2.39 elsewhere; C code reaches it through syscall(2).
struct shim_open_how { uint64_t flags, mode, resolve; };
long syscall(long nr, ...) {
  resolve();
  va_list ap;
  va_start(ap, nr);
  long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
  long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
  va_end(ap);
#ifdef SYS_openat2
  if (nr == SYS_openat2 && a3) {
    const struct shim_open_how *how = (const struct shim_open_how *)a3;
    if (creates((int)how->flags) && hit_path("openat2", (int)a1, (const char *)a2)) return -1;
  }
#endif
  return real_syscall(nr, a1, a2, a3, a4, a5, a6);
}
