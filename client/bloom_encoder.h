// Bloom-filter encoding of one field's values, as the clkhash linkage schema v3 defines it for a
// feature with {"comparison": {"type": "ngram", "n": N}, "strategy": {"bitsPerFeature": B},
// "hash": {"type": "doubleHash", "prevent_singularity": true}}: the value is padded with N-1 spaces
// on each side and cut into n-grams; n-gram i gets k_i bit positions g_j = (h1 + j * h2) mod l,
// where h1 and h2 are HMAC-SHA1 and HMAC-MD5 of the n-gram (as big-endian integers) under the
// field's two keys, and the k_i add up to exactly B whatever the value's length (so the number of
// bits set does not reveal the length: the "bits per feature" hardening). Bit i of a filter is bit
// (7 - i % 8) of byte i / 8, as clkhash serialises its bitarrays.
//
// Thread-compatible: an encoder caches the HMACs of n-grams it has seen (there are few distinct
// bigrams), so give each thread its own.
#ifndef CROSSFORCE_CLIENT_BLOOM_ENCODER_H_
#define CROSSFORCE_CLIENT_BLOOM_ENCODER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace crossforce::client {

// HMAC with the key's inner and outer pads hashed once up front, so each message costs only the
// message's own compression rounds. Thread-compatible.
class KeyedHash {
 public:
  enum class Algorithm { kSha1, kMd5, kSha256 };
  KeyedHash(Algorithm algorithm, absl::string_view key);
  ~KeyedHash();
  KeyedHash(const KeyedHash&) = delete;
  KeyedHash& operator=(const KeyedHash&) = delete;

  // HMAC(key, message) into `out` (20, 16 or 32 bytes); returns the digest length.
  size_t Compute(absl::string_view message, unsigned char* out);
  std::string Compute(absl::string_view message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The n-grams of `value` as clkhash's NgramComparison makes them (n > 1 pads with n-1 spaces).
std::vector<std::string> Ngrams(absl::string_view value, int n);

// k for each of `num_ngrams` n-grams so that they add up to exactly `bits_per_feature`.
std::vector<int> BitsPerNgram(int bits_per_feature, size_t num_ngrams);

// int.from_bytes(digest, 'big') % modulus.
uint32_t DigestMod(const unsigned char* digest, size_t size, uint32_t modulus);

struct BloomFieldSpec {
  int ngram = 2;                    // n of the n-grams
  int bits_per_feature = 100;       // bit positions per value in total (clkhash bitsPerFeature)
  bool prevent_singularity = true;  // clkhash's fix for h2 = 0 mod l
};

class BloomFieldEncoder {
 public:
  BloomFieldEncoder(BloomFieldSpec spec, absl::string_view sha1_key, absl::string_view md5_key);

  // Sets the value's bits in `filter` (l = filter->size() * 8 bits). An empty value sets none.
  void Encode(absl::string_view value, std::string* filter);

  // The bit positions `ngram` maps to with `k` positions in a filter of `l` bits, repeats kept.
  std::vector<uint32_t> Positions(absl::string_view ngram, int k, uint32_t l);

 private:
  // An n-gram's two hashes reduced modulo the filter length. An encoder is used with one length
  // (its field's filter or the record filter), so the cache holds only the reduced pair and is
  // emptied if the length ever changes.
  struct Reduced {
    uint32_t h1 = 0;  // < l once computed
    uint32_t h2 = 0;
  };
  Reduced ReducedFor(absl::string_view ngram, uint32_t l);
  Reduced Compute(absl::string_view ngram, uint32_t l);

  const BloomFieldSpec spec_;
  KeyedHash sha1_;
  KeyedHash md5_;
  uint32_t cached_l_ = 0;
  // Bigrams of printable ASCII (what normalised names, dates, postcodes and addresses are made of)
  // index a table directly; h1 == kUnset marks an entry not yet computed. Allocated on first use.
  static constexpr uint32_t kUnset = ~uint32_t{0};
  static constexpr int kPrintableBase = 32;
  static constexpr int kPrintableCount = 96;
  std::vector<Reduced> bigram_table_;
  // Other n-grams of up to 7 bytes (every bigram) are keyed by their bytes packed into an integer
  // with the length in the top byte: hashing and comparing one word instead of a string is most of
  // the encoding rate, since almost every lookup hits.
  absl::flat_hash_map<uint64_t, Reduced> short_cache_;
  absl::flat_hash_map<std::string, Reduced> long_cache_;
};

// Bits set in a filter.
int PopCount(absl::string_view filter);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_BLOOM_ENCODER_H_
