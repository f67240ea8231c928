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

#endif
