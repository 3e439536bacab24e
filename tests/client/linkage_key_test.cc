#include "client/linkage_key.h"

#include <sys/stat.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "client/bloom_encoder.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce::client {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::StatusIs;
using ::crossforce::testing::TempDir;

TEST(LinkageKeyTest, HkdfMatchesRfc5869TestCase1) {
  const std::string ikm(22, '\x0b');
  const std::string salt = absl::HexStringToBytes("000102030405060708090a0b0c");
  const std::string info = absl::HexStringToBytes("f0f1f2f3f4f5f6f7f8f9");
  absl::StatusOr<std::string> okm = Hkdf(ikm, salt, info, 42);
  ASSERT_THAT(okm, IsOk());
  EXPECT_EQ(absl::BytesToHexString(*okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(LinkageKeyTest, HmacMatchesRfc4231AndRfc2202) {
  EXPECT_EQ(absl::BytesToHexString(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(absl::BytesToHexString(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(absl::BytesToHexString(HmacMd5("Jefe", "what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738");
  // The precomputed-pad HMAC agrees, including keys longer than a block.
  const std::string long_key(131, '\xaa');
  KeyedHash keyed(KeyedHash::Algorithm::kSha256, long_key);
  EXPECT_EQ(absl::BytesToHexString(
                keyed.Compute("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  KeyedHash md5(KeyedHash::Algorithm::kMd5, "Jefe");
  EXPECT_EQ(absl::BytesToHexString(md5.Compute("what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738");
}

TEST(LinkageKeyTest, KeyFileIsPrivateAndRoundTrips) {
  TempDir dir;
  absl::StatusOr<LinkageKey> key = LinkageKey::Generate();
  ASSERT_THAT(key, IsOk());
  const std::string path = dir.Sub("federation.key");
  ASSERT_THAT(key->WriteFile(path), IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(key->WriteFile(path), StatusIs(absl::StatusCode::kAlreadyExists));
  absl::StatusOr<LinkageKey> read = LinkageKey::ReadFile(path);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->secret(), key->secret());
  EXPECT_EQ(read->Fingerprint(), key->Fingerprint());
  EXPECT_EQ(read->Fingerprint().size(), kFingerprintBytes);
  chmod(path.c_str(), 0644);
  EXPECT_THAT(LinkageKey::ReadFile(path), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(LinkageKey::ReadFile(dir.Sub("missing")), StatusIs(absl::StatusCode::kNotFound));
  const std::string bad = dir.Sub("bad.key");
  std::ofstream(bad) << "not hex\n";
  chmod(bad.c_str(), 0600);
  EXPECT_THAT(LinkageKey::ReadFile(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LinkageKeyTest, DerivedKeysAreIndependentPerPurpose) {
  absl::StatusOr<LinkageKey> key = LinkageKey::FromSecret(std::string(32, '\x01'));
  ASSERT_THAT(key, IsOk());
  EXPECT_NE(key->DeriveKey("token/phone"), key->DeriveKey("token/email"));
  EXPECT_EQ(key->DeriveKey("token/phone"), key->DeriveKey("token/phone"));
  EXPECT_EQ(key->DeriveKey("x", 64).size(), 64u);
  absl::StatusOr<LinkageKey> other = LinkageKey::FromSecret(std::string(32, '\x02'));
  EXPECT_NE(key->Fingerprint(), other->Fingerprint());
  EXPECT_FALSE(LinkageKey::FromSecret("short").ok());
}

}  // namespace
}  // namespace crossforce::client
