#ifndef CVAULTSYSTEM_H
#define CVAULTSYSTEM_H

/// Disables core dumps and ptrace attach for this process, so that a crash never writes
/// decrypted records or keys to disk. Returns 0 on success, -1 if either call failed.
int vault_disable_core_dumps(void);

#include <sys/types.h>

/// 1 if `path` is on tmpfs or ramfs (memory, never written to a disk), else 0.
int vault_is_ram_backed(const char *path);

/// Starts `path` with `argv` (NULL-terminated) and the current environment. If `keep_fd` >= 0,
/// the child gets a copy of it as fd 3. If `detached`, the child gets its own session and
/// /dev/null for stdin, stdout and stderr. SIGINT, SIGQUIT and SIGPIPE are reset to their
/// defaults and no signal is blocked. Returns 0 and sets `pid`, or an errno value.
int vault_spawn(const char *path, char *const argv[], int keep_fd, int detached, pid_t *pid);

/// Opens an unnamed file (O_TMPFILE, mode 0600) in `directory`: it has no name until
/// `vault_link_tmpfile`, so nothing is left behind if the process dies. -1 with errno if the
/// file system cannot (then use a named temporary file and `vault_unlink_on_signal`).
int vault_open_tmpfile(const char *directory);

/// Gives the unnamed file `fd` the name `path`; fails with EEXIST if `path` exists (never replaces).
int vault_link_tmpfile(int fd, const char *path);

/// Until called again with NULL, SIGINT, SIGTERM and SIGHUP unlink `path` before the process
/// dies of them: a named temporary file with plaintext in it is not left behind.
void vault_unlink_on_signal(const char *path);

#include <stddef.h>
#include <stdint.h>

/// Continues the CRC-32 (IEEE 802.3, as ZIP uses) `crc` over `n` bytes at `p`; start with 0.
uint32_t vault_crc32(uint32_t crc, const unsigned char *p, size_t n);

/// Makes everything written to the file system holding `path` durable (syncfs(2)): one call
/// instead of an fsync per file when thousands of files are copied. 0, or -1 with errno.
int vault_syncfs(const char *path);

/// O_PATH and O_TMPFILE, which Glibc exposes only with _GNU_SOURCE.
extern const int vault_O_PATH;
extern const int vault_O_TMPFILE;

/// Opens `rel` beneath the directory `root` without following a symlink at any level of `rel`
/// (`root` itself is opened as given: the user chose it). Uses openat2 with RESOLVE_BENEATH |
/// RESOLVE_NO_SYMLINKS, or, where the kernel lacks it, a walk with O_NOFOLLOW at every step.
/// An empty `rel` opens `root`. Returns a descriptor, or -1 with errno (ELOOP for a symlink,
/// EXDEV for a path that leaves `root`).
int vault_open_beneath(const char *root, const char *rel, int flags, mode_t mode);

/// Gives the unnamed file `fd` (from O_TMPFILE) the name `name` in the directory `dirfd`;
/// fails with EEXIST if the name exists (never replaces).
int vault_link_tmpfile_at(int fd, int dirfd, const char *name);

// The kernel key retention service (keyrings(7)), "user" keys only. Every function returns
// -1 with errno on failure, as the system call does.

/// KEY_SPEC_THREAD_KEYRING: this thread's keyring (dies with the thread).
extern const int32_t vault_KEY_SPEC_THREAD_KEYRING;
/// KEY_SPEC_USER_KEYRING (@u): the keyring shared by every process of this uid.
extern const int32_t vault_KEY_SPEC_USER_KEYRING;

/// add_key(2): creates (or updates) a "user" key `description` holding `length` bytes in `keyring`; its serial.
int32_t vault_key_add(const char *description, const void *payload, size_t length, int32_t keyring);
/// KEYCTL_SEARCH: the serial of the live "user" key `description` reachable from `keyring` (ENOKEY if none).
int32_t vault_key_search(int32_t keyring, const char *description);
/// KEYCTL_READ: copies up to `length` payload bytes into `buffer`; the payload's full size.
long vault_key_read(int32_t key, void *buffer, size_t length);
/// KEYCTL_SET_TIMEOUT: the key expires `seconds` from now (0 removes the expiry); 0.
int vault_key_set_timeout(int32_t key, unsigned int seconds);
/// KEYCTL_SETPERM: sets the key's possessor/user/group/other permission mask; 0.
int vault_key_set_permissions(int32_t key, uint32_t permissions);
/// KEYCTL_LINK: links `key` into `keyring`, displacing a key of the same type and description; 0.
int vault_key_link(int32_t key, int32_t keyring);
/// KEYCTL_UNLINK: removes the link from `keyring` to `key`; 0.
int vault_key_unlink(int32_t key, int32_t keyring);
/// KEYCTL_INVALIDATE: makes the key unusable at once; the kernel then destroys it promptly; 0.
int vault_key_invalidate(int32_t key);
/// KEYCTL_DESCRIBE: "type;uid;gid;perm;description" into `buffer` (NUL-terminated if it fits); its full size.
long vault_key_describe(int32_t key, char *buffer, size_t length);

#endif
