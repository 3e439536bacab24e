#include "client/bloom_encoder.h"

#include <numeric>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crossforce::client {
namespace {

using ::testing::ElementsAre;

double Dice(const std::string& a, const std::string& b) {
  int both = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    both += __builtin_popcount(static_cast<unsigned char>(a[i] & b[i]));
  }
  return 2.0 * both / (PopCount(a) + PopCount(b));
}

TEST(BloomEncoderTest, NgramsAsClkhashDocumentsThem) {
  // clkhash's NgramComparison documentation: the 2-grams of 'clkhash'.
  EXPECT_THAT(Ngrams("clkhash", 2), ElementsAre(" c", "cl", "lk", "kh", "ha", "as", "sh", "h "));
  EXPECT_THAT(Ngrams("ab", 3), ElementsAre("  a", " ab", "ab ", "b  "));
  EXPECT_THAT(Ngrams("ab", 1), ElementsAre("a", "b"));
  EXPECT_TRUE(Ngrams("", 2).empty());
}

TEST(BloomEncoderTest, BitsPerFeatureAddUpExactly) {
  for (size_t n : {1u, 3u, 7u, 11u, 150u}) {
    const std::vector<int> ks = BitsPerNgram(100, n);
    EXPECT_EQ(std::accumulate(ks.begin(), ks.end(), 0), 100) << n;
    EXPECT_LE(*std::max_element(ks.begin(), ks.end()) - *std::min_element(ks.begin(), ks.end()), 1);
  }
  EXPECT_THAT(BitsPerNgram(10, 3), ElementsAre(4, 3, 3));  // the residue goes to the first n-grams
}

TEST(BloomEncoderTest, DigestModIsTheBigEndianIntegerModulo) {
  const unsigned char digest[] = {0x01, 0x00, 0x03};  // 65539
  EXPECT_EQ(DigestMod(digest, 3, 1024), 65539u % 1024);
  EXPECT_EQ(DigestMod(digest, 3, 1000), 65539u % 1000);
}

// clkhash's published double-hash vectors (tests/test_bloomfilter.py,
// test_double_hash_singularity): with HMAC keys b'secret1' (SHA-1) and b'secret2' (MD5), k = 20 and
// l = 1024, the n-grams "635" and "1402" hit a single bit under plain double hashing and more with
// singularity prevention; "666" and "1401" hit several bits either way, identically.
TEST(BloomEncoderTest, ReproducesClkhashSingularityVectors) {
  BloomFieldEncoder plain({2, 100, false}, "secret1", "secret2");
  BloomFieldEncoder fixed({2, 100, true}, "secret1", "secret2");
  for (const char* ngram : {"635", "1402"}) {
    const std::vector<uint32_t> p = plain.Positions(ngram, 20, 1024);
    const std::vector<uint32_t> f = fixed.Positions(ngram, 20, 1024);
    EXPECT_EQ(std::set<uint32_t>(p.begin(), p.end()).size(), 1u) << ngram;
    EXPECT_GT(std::set<uint32_t>(f.begin(), f.end()).size(), 1u) << ngram;
  }
  for (const char* ngram : {"666", "1401"}) {
    const std::vector<uint32_t> p = plain.Positions(ngram, 20, 1024);
    EXPECT_GT(std::set<uint32_t>(p.begin(), p.end()).size(), 1u) << ngram;
    EXPECT_EQ(p, fixed.Positions(ngram, 20, 1024)) << ngram;
  }
}

TEST(BloomEncoderTest, SimilarValuesShareBitsDifferentOnesDoNot) {
  BloomFieldEncoder encoder({2, 100, true}, std::string(64, 'a'), std::string(64, 'b'));
  auto encode = [&](const char* value) {
    std::string filter(64, '\0');
    encoder.Encode(value, &filter);
    return filter;
  };
  const std::string smith = encode("SMITH");
  EXPECT_EQ(smith, encode("SMITH"));
  EXPECT_GT(Dice(smith, encode("SMYTH")), 0.6);
  EXPECT_LT(Dice(smith, encode("OKAFOR")), 0.3);
  // Bits per feature: a long and a short value set about as many bits (length is hidden).
  const int short_bits = PopCount(encode("LI"));
  const int long_bits = PopCount(encode("FEATHERSTONEHAUGH"));
  EXPECT_LT(std::abs(short_bits - long_bits), 20);
  std::string empty(64, '\0');
  encoder.Encode("", &empty);
  EXPECT_EQ(PopCount(empty), 0);
}

}  // namespace
}  // namespace crossforce::client
