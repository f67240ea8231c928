#ifndef CVAULTSYSTEM_H
#define CVAULTSYSTEM_H

/// Disables core dumps and ptrace attach for this process, so that a crash never writes
/// decrypted records or keys to disk. Returns 0 on success, -1 if either call failed.
int vault_disable_core_dumps(void);

#endif
