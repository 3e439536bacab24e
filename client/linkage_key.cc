#include "client/linkage_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace crossforce::client {
namespace {

constexpr absl::string_view kHkdfSalt = "crossforce linkage v1";

std::string Hmac(const EVP_MD* md, absl::string_view key, absl::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len);
  return std::string(reinterpret_cast<char*>(out), out_len);
}

}  // namespace

absl::StatusOr<std::string> Hkdf(absl::string_view secret, absl::string_view salt,
                                 absl::string_view info, size_t length) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  if (ctx == nullptr) return absl::InternalError("HKDF unavailable");
  std::string out(length, '\0');
  size_t out_len = length;
  const bool ok =
      EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
      EVP_PKEY_CTX_set1_hkdf_salt(ctx, reinterpret_cast<const unsigned char*>(salt.data()),
                                  static_cast<int>(salt.size())) > 0 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(secret.data()),
                                 static_cast<int>(secret.size())) > 0 &&
      EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) > 0 &&
      EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &out_len) > 0;
  EVP_PKEY_CTX_free(ctx);
  if (!ok || out_len != length) return absl::InternalError("HKDF derivation failed");
  return out;
}

std::string HmacSha256(absl::string_view key, absl::string_view message) {
  return Hmac(EVP_sha256(), key, message);
}
std::string HmacSha1(absl::string_view key, absl::string_view message) {
  return Hmac(EVP_sha1(), key, message);
}
std::string HmacMd5(absl::string_view key, absl::string_view message) {
  return Hmac(EVP_md5(), key, message);
}

absl::StatusOr<LinkageKey> LinkageKey::Generate() {
  std::string secret(kSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), kSecretBytes) != 1) {
    return absl::InternalError("the system random generator failed");
  }
  return LinkageKey(std::move(secret));
}

absl::StatusOr<LinkageKey> LinkageKey::FromSecret(std::string secret) {
  if (secret.size() != kSecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a linkage secret is ", kSecretBytes, " bytes, not ", secret.size()));
  }
  return LinkageKey(std::move(secret));
}

absl::StatusOr<LinkageKey> LinkageKey::ReadFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("key file ", path, " does not exist"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, " is readable by others; run: chmod 600 ", path));
  }
  std::ifstream in(path);
  if (!in) return absl::PermissionDeniedError(absl::StrCat("cannot read key file ", path));
  std::string line;
  std::string hex;
  while (std::getline(in, line)) {
    absl::string_view content = line;
    if (const size_t hash = content.find('#'); hash != absl::string_view::npos) {
      content = content.substr(0, hash);
    }
    content = absl::StripAsciiWhitespace(content);
    if (!content.empty()) {
      hex = std::string(content);
      break;
    }
  }
  if (hex.size() != 2 * kSecretBytes ||
      hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("key file ", path, " must hold the secret as ",
                                                   2 * kSecretBytes, " hex digits"));
  }
  return LinkageKey(absl::HexStringToBytes(hex));
}

absl::Status LinkageKey::WriteFile(const std::string& path) const {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(path, " exists; not overwriting a key"));
    }
    return absl::PermissionDeniedError(absl::StrCat("cannot create ", path));
  }
  const std::string content =
      absl::StrCat("# crossforce linkage secret: share only with the federation's forces\n",
                   "# fingerprint ", FingerprintHex(), "\n", absl::BytesToHexString(secret_), "\n");
  const bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (!ok || !synced) return absl::DataLossError(absl::StrCat("could not write ", path));
  return absl::OkStatus();
}

std::string LinkageKey::Fingerprint() const {
  return HmacSha256(secret_, "crossforce key fingerprint v1").substr(0, kFingerprintBytes);
}

std::string LinkageKey::FingerprintHex() const { return absl::BytesToHexString(Fingerprint()); }

std::string LinkageKey::DeriveKey(absl::string_view purpose, size_t length) const {
  // HKDF cannot fail for these sizes with a working libcrypto.
  absl::StatusOr<std::string> key = Hkdf(secret_, kHkdfSalt, purpose, length);
  return key.ok() ? *key : std::string();
}

}  // namespace crossforce::client
