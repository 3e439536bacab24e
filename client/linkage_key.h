// The federation's linkage secret, held only by forces: generating it, reading it from its key
// file, deriving independent per-purpose keys from it (HKDF-SHA256, RFC 5869), keyed tokens and the
// public fingerprint that lets the hub tell keys apart without learning them. Thread-safe once
// loaded.
#ifndef CROSSFORCE_CLIENT_LINKAGE_KEY_H_
#define CROSSFORCE_CLIENT_LINKAGE_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crossforce::client {

inline constexpr size_t kSecretBytes = 32;
inline constexpr size_t kFingerprintBytes = 16;

// HKDF-SHA256 (RFC 5869) of `secret` with `salt` and `info`, `length` bytes.
absl::StatusOr<std::string> Hkdf(absl::string_view secret, absl::string_view salt,
                                 absl::string_view info, size_t length);

// HMAC of `message` under `key` with SHA-256, SHA-1 or MD5.
std::string HmacSha256(absl::string_view key, absl::string_view message);
std::string HmacSha1(absl::string_view key, absl::string_view message);
std::string HmacMd5(absl::string_view key, absl::string_view message);

class LinkageKey {
 public:
  // A fresh random secret from the OS's CSPRNG.
  static absl::StatusOr<LinkageKey> Generate();
  // Reads a key file: the secret as 64 hex digits on one line (comments after '#' allowed).
  // FailedPrecondition when others may read it (mode must be 0600 or stricter).
  static absl::StatusOr<LinkageKey> ReadFile(const std::string& path);
  static absl::StatusOr<LinkageKey> FromSecret(std::string secret);

  // Writes the key file with mode 0600; AlreadyExists rather than overwrite.
  absl::Status WriteFile(const std::string& path) const;

  // First 16 bytes of HMAC-SHA256(secret, "crossforce key fingerprint v1").
  std::string Fingerprint() const;
  std::string FingerprintHex() const;

  // A key for one purpose (e.g. "token/phone"), independent of every other purpose's key.
  std::string DeriveKey(absl::string_view purpose, size_t length = 32) const;

  const std::string& secret() const { return secret_; }

 private:
  explicit LinkageKey(std::string secret) : secret_(std::move(secret)) {}

  std::string secret_;
};

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_LINKAGE_KEY_H_
