#define _GNU_SOURCE
#include "CVaultSystem.h"
#include <sys/prctl.h>
#include <sys/resource.h>

// prctl is variadic, which Swift cannot call; this wrapper is the whole reason for the target.
int vault_disable_core_dumps(void) {
  struct rlimit none = {0, 0};
  int a = setrlimit(RLIMIT_CORE, &none);
  int b = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return (a == 0 && b == 0) ? 0 : -1;
}

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/statfs.h>
#include <linux/magic.h>

extern char **environ;

int vault_is_ram_backed(const char *path) {
  struct statfs fs;
  if (statfs(path, &fs) != 0) return 0;
  return fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC;
}

// posix_spawn's attribute flags and file actions are macros and opaque structs that Swift
// imports poorly; this keeps the one place that starts child processes in C.
int vault_spawn(const char *path, char *const argv[], int keep_fd, int detached, pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, defaults;
  int rc;
  if ((rc = posix_spawn_file_actions_init(&actions)) != 0) return rc;
  if ((rc = posix_spawnattr_init(&attr)) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return rc;
  }
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  sigaddset(&defaults, SIGPIPE);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (detached) {
    flags |= POSIX_SPAWN_SETSID;
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  // keep_fd is close-on-exec in the parent; dup2 to 3 gives the child a copy without the flag.
  if (keep_fd >= 0) posix_spawn_file_actions_adddup2(&actions, keep_fd, 3);
  posix_spawnattr_setflags(&attr, flags);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  rc = posix_spawn(pid, path, &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vault_open_tmpfile(const char *directory) {
  return open(directory, O_WRONLY | O_TMPFILE | O_CLOEXEC, 0600);
}

int vault_link_tmpfile(int fd, const char *path) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

static char pending_unlink[4096];

static void unlink_and_reraise(int sig) {
  if (pending_unlink[0]) unlink(pending_unlink);
  signal(sig, SIG_DFL);
  raise(sig);
}

void vault_unlink_on_signal(const char *path) {
  if (path == NULL) {
    pending_unlink[0] = 0;
    return;
  }
  strncpy(pending_unlink, path, sizeof pending_unlink - 1);
  pending_unlink[sizeof pending_unlink - 1] = 0;
  signal(SIGINT, unlink_and_reraise);
  signal(SIGTERM, unlink_and_reraise);
  signal(SIGHUP, unlink_and_reraise);
}

#include <stdint.h>

// CRC-32 (IEEE, as ZIP uses), slicing by 8: about a byte per cycle, so it does not slow an export.
static uint32_t crc_table[8][256];
static int crc_ready = 0;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
  crc_ready = 1;
}

#if defined(__x86_64__)
#include <immintrin.h>

// CRC-32 by carry-less multiplication (PCLMULQDQ), folding 64 bytes a step: Intel's "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ" with the bit-reflected constants of the
// IEEE polynomial (as in Linux's crc32-pclmul and Chromium's zlib). Takes and returns the
// inverted CRC; len >= 64 and a multiple of 16. About 5x the table version here.
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32_fold(const unsigned char *buf, size_t len, uint32_t crc) {
  static const uint64_t __attribute__((aligned(16))) k1k2[] = {0x0154442bd4, 0x01c6e41596};
  static const uint64_t __attribute__((aligned(16))) k3k4[] = {0x01751997d0, 0x00ccaa009e};
  static const uint64_t __attribute__((aligned(16))) k5k0[] = {0x0163cd6124, 0x0000000000};
  static const uint64_t __attribute__((aligned(16))) poly[] = {0x01db710641, 0x01f7011641};
  __m128i x0, x1, x2, x3, x4, x5, x6, x7, x8, y5, y6, y7, y8;
  x1 = _mm_loadu_si128((const __m128i *)(buf + 0x00));
  x2 = _mm_loadu_si128((const __m128i *)(buf + 0x10));
  x3 = _mm_loadu_si128((const __m128i *)(buf + 0x20));
  x4 = _mm_loadu_si128((const __m128i *)(buf + 0x30));
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
  x0 = _mm_load_si128((const __m128i *)k1k2);
  buf += 64; len -= 64;
  while (len >= 64) {
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00); x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
    x7 = _mm_clmulepi64_si128(x3, x0, 0x00); x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x0, 0x11); x2 = _mm_clmulepi64_si128(x2, x0, 0x11);
    x3 = _mm_clmulepi64_si128(x3, x0, 0x11); x4 = _mm_clmulepi64_si128(x4, x0, 0x11);
    y5 = _mm_loadu_si128((const __m128i *)(buf + 0x00)); y6 = _mm_loadu_si128((const __m128i *)(buf + 0x10));
    y7 = _mm_loadu_si128((const __m128i *)(buf + 0x20)); y8 = _mm_loadu_si128((const __m128i *)(buf + 0x30));
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), y5); x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), y6);
    x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), y7); x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), y8);
    buf += 64; len -= 64;
  }
  x0 = _mm_load_si128((const __m128i *)k3k4);
  x5 = _mm_clmulepi64_si128(x1, x0, 0x00); x1 = _mm_clmulepi64_si128(x1, x0, 0x11); x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
  x5 = _mm_clmulepi64_si128(x1, x0, 0x00); x1 = _mm_clmulepi64_si128(x1, x0, 0x11); x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
  x5 = _mm_clmulepi64_si128(x1, x0, 0x00); x1 = _mm_clmulepi64_si128(x1, x0, 0x11); x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);
  while (len >= 16) {
    x2 = _mm_loadu_si128((const __m128i *)buf);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00); x1 = _mm_clmulepi64_si128(x1, x0, 0x11); x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
    buf += 16; len -= 16;
  }
  x2 = _mm_clmulepi64_si128(x1, x0, 0x10);
  x3 = _mm_setr_epi32(~0, 0, ~0, 0);
  x1 = _mm_srli_si128(x1, 8);
  x1 = _mm_xor_si128(x1, x2);
  x0 = _mm_loadl_epi64((const __m128i *)k5k0);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_and_si128(x1, x3);
  x1 = _mm_clmulepi64_si128(x1, x0, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  x0 = _mm_load_si128((const __m128i *)poly);
  x2 = _mm_and_si128(x1, x3);
  x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
  x2 = _mm_and_si128(x2, x3);
  x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int crc_fold_usable = -1;
#endif

static uint32_t crc32_slice8(uint32_t crc, const unsigned char *p, size_t n);

uint32_t vault_crc32(uint32_t crc, const unsigned char *p, size_t n) {
#if defined(__x86_64__)
  if (crc_fold_usable < 0) {
    __builtin_cpu_init();
    crc_fold_usable = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  }
  if (crc_fold_usable && n >= 64) {
    size_t m = n & ~(size_t)15;
    crc = ~crc32_fold(p, m, ~crc);
    p += m;
    n -= m;
  }
#endif
  return crc32_slice8(crc, p, n);
}

static uint32_t crc32_slice8(uint32_t crc, const unsigned char *p, size_t n) {
  if (!crc_ready) crc_init();
  crc = ~crc;
  while (n >= 8) {
    uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t b = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    crc = crc_table[7][a & 0xFF] ^ crc_table[6][(a >> 8) & 0xFF] ^ crc_table[5][(a >> 16) & 0xFF] ^ crc_table[4][a >> 24] ^
          crc_table[3][b & 0xFF] ^ crc_table[2][(b >> 8) & 0xFF] ^ crc_table[1][(b >> 16) & 0xFF] ^ crc_table[0][b >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

int vault_syncfs(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = syncfs(fd);
  close(fd);
  return rc;
}

#include <errno.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

const int vault_O_PATH = O_PATH;
const int vault_O_TMPFILE = O_TMPFILE;

static int open_beneath_walk(int rootfd, const char *rel, int flags, mode_t mode) {
  char buf[4096];
  size_t n = strlen(rel);
  if (n >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
  memcpy(buf, rel, n + 1);
  int dir = dup(rootfd);
  if (dir < 0) return -1;
  char *save = NULL;
  char *part = strtok_r(buf, "/", &save);
  while (part) {
    char *next = strtok_r(NULL, "/", &save);
    if (strcmp(part, "..") == 0) { close(dir); errno = EXDEV; return -1; }
    if (strcmp(part, ".") == 0) { part = next; continue; }
    if (!next) {
      int fd = openat(dir, part, flags | O_NOFOLLOW | O_CLOEXEC, mode);
      int e = errno;
      close(dir);
      errno = e;
      return fd;
    }
    int sub = openat(dir, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (sub >= 0 && fstat(sub, &st) != 0) { close(sub); sub = -1; }
    if (sub >= 0 && !S_ISDIR(st.st_mode)) { close(sub); sub = -1; errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR; }
    int e = errno;
    close(dir);
    if (sub < 0) { errno = e; return -1; }
    dir = sub;
    part = next;
  }
  // Only "." components: the root itself.
  int fd = openat(dir, ".", flags | O_CLOEXEC, mode);
  int e = errno;
  close(dir);
  errno = e;
  return fd;
}

int vault_open_beneath(const char *root, const char *rel, int flags, mode_t mode) {
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return -1;
  if (rel[0] == 0) {
    close(rootfd);
    return open(root, flags | O_CLOEXEC, mode);
  }
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) == O_CREAT || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
  // Kernels before 5.6, and some seccomp filters, lack openat2: walk the path instead.
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) fd = open_beneath_walk(rootfd, rel, flags, mode);
  int e = errno;
  close(rootfd);
  errno = e;
  return fd;
}

int vault_link_tmpfile_at(int fd, int dirfd, const char *name) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
}

#include <linux/keyctl.h>

// add_key(2) and keyctl(2) are reached through syscall(2), which is variadic; Glibc has no
// wrappers for them (libkeyutils does, and is not needed for these few calls).

const int32_t vault_KEY_SPEC_THREAD_KEYRING = KEY_SPEC_THREAD_KEYRING;
const int32_t vault_KEY_SPEC_USER_KEYRING = KEY_SPEC_USER_KEYRING;

int32_t vault_key_add(const char *description, const void *payload, size_t length, int32_t keyring) {
  return (int32_t)syscall(SYS_add_key, "user", description, payload, length, keyring);
}

int32_t vault_key_search(int32_t keyring, const char *description) {
  return (int32_t)syscall(SYS_keyctl, KEYCTL_SEARCH, keyring, "user", description, 0);
}

long vault_key_read(int32_t key, void *buffer, size_t length) {
  return syscall(SYS_keyctl, KEYCTL_READ, key, buffer, length);
}

int vault_key_set_timeout(int32_t key, unsigned int seconds) {
  return (int)syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, key, seconds);
}

int vault_key_set_permissions(int32_t key, uint32_t permissions) {
  return (int)syscall(SYS_keyctl, KEYCTL_SETPERM, key, permissions);
}

int vault_key_link(int32_t key, int32_t keyring) {
  return (int)syscall(SYS_keyctl, KEYCTL_LINK, key, keyring);
}

int vault_key_unlink(int32_t key, int32_t keyring) {
  return (int)syscall(SYS_keyctl, KEYCTL_UNLINK, key, keyring);
}

int vault_key_invalidate(int32_t key) {
  return (int)syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
}

long vault_key_describe(int32_t key, char *buffer, size_t length) {
  return syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, buffer, length);
}
