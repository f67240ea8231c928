// OpenSSL's libcrypto, for SHA-256 with the CPU's SHA extensions and ChaCha20-Poly1305 with
// AVX2; used by VaultCrypto only (make lint).
#include <openssl/evp.h>
#include <openssl/sha.h>
