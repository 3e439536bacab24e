#include "client/bloom_encoder.h"

#include <openssl/md5.h>
#include <openssl/sha.h>

#include <cstring>

namespace crossforce::client {

// The low-level digest API is deprecated in OpenSSL 3 in favour of EVP, but its contexts are plain
// structs: copying the precomputed pad states is a memcpy, where EVP_MD_CTX_copy_ex allocates and
// cleanses. Keyed hashing is the client's hot loop, so the difference is the encoding rate.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

struct KeyedHash::State {
  Algorithm algorithm = Algorithm::kSha256;
  union Context {
    SHA_CTX sha1;
    MD5_CTX md5;
    SHA256_CTX sha256;
  };
  Context inner;  // after absorbing key ^ ipad
  Context outer;  // after absorbing key ^ opad
};

namespace {

size_t BlockSize(KeyedHash::Algorithm a) { return 64; }  // SHA-1, MD5 and SHA-256 alike

size_t DigestSize(KeyedHash::Algorithm a) {
  return a == KeyedHash::Algorithm::kSha1 ? 20 : a == KeyedHash::Algorithm::kMd5 ? 16 : 32;
}

template <typename Ctx>
void Absorb(KeyedHash::Algorithm a, Ctx& ctx, const void* data, size_t size) {
  switch (a) {
    case KeyedHash::Algorithm::kSha1:
      SHA1_Update(&ctx.sha1, data, size);
      break;
    case KeyedHash::Algorithm::kMd5:
      MD5_Update(&ctx.md5, data, size);
      break;
    case KeyedHash::Algorithm::kSha256:
      SHA256_Update(&ctx.sha256, data, size);
      break;
  }
}

template <typename Ctx>
void Start(KeyedHash::Algorithm a, Ctx& ctx) {
  switch (a) {
    case KeyedHash::Algorithm::kSha1:
      SHA1_Init(&ctx.sha1);
      break;
    case KeyedHash::Algorithm::kMd5:
      MD5_Init(&ctx.md5);
      break;
    case KeyedHash::Algorithm::kSha256:
      SHA256_Init(&ctx.sha256);
      break;
  }
}

template <typename Ctx>
void Finish(KeyedHash::Algorithm a, Ctx& ctx, unsigned char* out) {
  switch (a) {
    case KeyedHash::Algorithm::kSha1:
      SHA1_Final(out, &ctx.sha1);
      break;
    case KeyedHash::Algorithm::kMd5:
      MD5_Final(out, &ctx.md5);
      break;
    case KeyedHash::Algorithm::kSha256:
      SHA256_Final(out, &ctx.sha256);
      break;
  }
}

}  // namespace

KeyedHash::KeyedHash(Algorithm algorithm, absl::string_view key) : state_(new State) {
  state_->algorithm = algorithm;
  const size_t block = BlockSize(algorithm);
  std::string k(key);
  if (k.size() > block) {
    State::Context ctx;
    unsigned char digest[32];
    Start(algorithm, ctx);
    Absorb(algorithm, ctx, k.data(), k.size());
    Finish(algorithm, ctx, digest);
    k.assign(reinterpret_cast<char*>(digest), DigestSize(algorithm));
  }
  k.resize(block, '\0');
  std::string ipad(block, '\0'), opad(block, '\0');
  for (size_t i = 0; i < block; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  Start(algorithm, state_->inner);
  Absorb(algorithm, state_->inner, ipad.data(), block);
  Start(algorithm, state_->outer);
  Absorb(algorithm, state_->outer, opad.data(), block);
}

KeyedHash::~KeyedHash() = default;

size_t KeyedHash::Compute(absl::string_view message, unsigned char* out) {
  const Algorithm a = state_->algorithm;
  unsigned char inner_digest[32];
  State::Context work = state_->inner;
  Absorb(a, work, message.data(), message.size());
  Finish(a, work, inner_digest);
  work = state_->outer;
  Absorb(a, work, inner_digest, DigestSize(a));
  Finish(a, work, out);
  return DigestSize(a);
}

#pragma GCC diagnostic pop

std::string KeyedHash::Compute(absl::string_view message) {
  unsigned char out[32];
  const size_t len = Compute(message, out);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::vector<std::string> Ngrams(absl::string_view value, int n) {
  std::vector<std::string> out;
  if (value.empty() || n <= 0) return out;
  std::string padded;
  if (n > 1) {
    padded.assign(n - 1, ' ');
    padded.append(value.data(), value.size());
    padded.append(n - 1, ' ');
  } else {
    padded.assign(value.data(), value.size());
  }
  if (padded.size() < static_cast<size_t>(n)) return out;
  for (size_t i = 0; i + n <= padded.size(); ++i) out.push_back(padded.substr(i, n));
  return out;
}

std::vector<int> BitsPerNgram(int bits_per_feature, size_t num_ngrams) {
  std::vector<int> ks(num_ngrams, 0);
  if (num_ngrams == 0) return ks;
  const int k = static_cast<int>(bits_per_feature / num_ngrams);
  const size_t residue = bits_per_feature % num_ngrams;
  for (size_t i = 0; i < num_ngrams; ++i) ks[i] = k + (i < residue ? 1 : 0);
  return ks;
}

uint32_t DigestMod(const unsigned char* digest, size_t size, uint32_t modulus) {
  uint64_t r = 0;
  for (size_t i = 0; i < size; ++i) r = (r * 256 + digest[i]) % modulus;
  return static_cast<uint32_t>(r);
}

BloomFieldEncoder::BloomFieldEncoder(BloomFieldSpec spec, absl::string_view sha1_key,
                                     absl::string_view md5_key)
    : spec_(spec),
      sha1_(KeyedHash::Algorithm::kSha1, sha1_key),
      md5_(KeyedHash::Algorithm::kMd5, md5_key) {}

BloomFieldEncoder::Reduced BloomFieldEncoder::Compute(absl::string_view ngram, uint32_t l) {
  unsigned char sha1[20], md5[16];
  sha1_.Compute(ngram, sha1);
  md5_.Compute(ngram, md5);
  Reduced r{DigestMod(sha1, sizeof(sha1), l), DigestMod(md5, sizeof(md5), l)};
  if (spec_.prevent_singularity) {
    // clkhash: while h2 == 0, h2 = HMAC-MD5(ngram + chr(i)) mod l for i = 0, 1, ... (chr(i) as
    // UTF-8).
    for (uint32_t i = 0; r.h2 == 0; ++i) {
      std::string salted(ngram);
      if (i < 0x80) {
        salted.push_back(static_cast<char>(i));
      } else {
        salted.push_back(static_cast<char>(0xC0 | (i >> 6)));
        salted.push_back(static_cast<char>(0x80 | (i & 0x3F)));
      }
      md5_.Compute(salted, md5);
      r.h2 = DigestMod(md5, sizeof(md5), l);
    }
  }
  return r;
}

BloomFieldEncoder::Reduced BloomFieldEncoder::ReducedFor(absl::string_view ngram, uint32_t l) {
  if (l != cached_l_) {
    bigram_table_.clear();
    short_cache_.clear();
    long_cache_.clear();
    cached_l_ = l;
  }
  if (ngram.size() == 2) {
    const int a = static_cast<unsigned char>(ngram[0]) - kPrintableBase;
    const int b = static_cast<unsigned char>(ngram[1]) - kPrintableBase;
    if (a >= 0 && a < kPrintableCount && b >= 0 && b < kPrintableCount) {
      if (bigram_table_.empty()) {
        bigram_table_.assign(kPrintableCount * kPrintableCount, Reduced{kUnset, 0});
      }
      Reduced& entry = bigram_table_[a * kPrintableCount + b];
      if (entry.h1 == kUnset) entry = Compute(ngram, l);
      return entry;
    }
  }
  // Distinct n-grams of normalised values are few; a cap keeps pathological input from growing
  // the caches without bound.
  if (ngram.size() < 8) {
    uint64_t packed = 0;
    for (char c : ngram) packed = (packed << 8) | static_cast<unsigned char>(c);
    packed |= static_cast<uint64_t>(ngram.size()) << 56;
    auto it = short_cache_.find(packed);
    if (it != short_cache_.end()) return it->second;
    if (short_cache_.size() > 1'000'000) short_cache_.clear();
    return short_cache_.emplace(packed, Compute(ngram, l)).first->second;
  }
  auto it = long_cache_.find(ngram);
  if (it != long_cache_.end()) return it->second;
  if (long_cache_.size() > 1'000'000) long_cache_.clear();
  return long_cache_.emplace(std::string(ngram), Compute(ngram, l)).first->second;
}

std::vector<uint32_t> BloomFieldEncoder::Positions(absl::string_view ngram, int k, uint32_t l) {
  const Reduced r = ReducedFor(ngram, l);
  std::vector<uint32_t> positions;
  positions.reserve(k);
  for (int j = 0; j < k; ++j) {
    positions.push_back(static_cast<uint32_t>((r.h1 + static_cast<uint64_t>(j) * r.h2) % l));
  }
  return positions;
}

void BloomFieldEncoder::Encode(absl::string_view value, std::string* filter) {
  const uint32_t l = static_cast<uint32_t>(filter->size() * 8);
  if (l == 0 || value.empty() || spec_.ngram <= 0) return;
  // The n-grams as Ngrams() makes them, without allocating each one.
  const size_t pad = spec_.ngram > 1 ? spec_.ngram - 1 : 0;
  std::string padded(pad, ' ');
  padded.append(value.data(), value.size());
  padded.append(pad, ' ');
  if (padded.size() < static_cast<size_t>(spec_.ngram)) return;
  const size_t count = padded.size() - spec_.ngram + 1;
  const int k = static_cast<int>(spec_.bits_per_feature / count);
  const size_t residue = spec_.bits_per_feature % count;
  unsigned char* bits = reinterpret_cast<unsigned char*>(filter->data());
  for (size_t i = 0; i < count; ++i) {
    const Reduced r = ReducedFor(absl::string_view(padded).substr(i, spec_.ngram), l);
    const int ki = k + (i < residue ? 1 : 0);
    uint64_t g = r.h1;
    for (int j = 0; j < ki; ++j) {
      bits[g / 8] |= static_cast<unsigned char>(0x80 >> (g % 8));
      g += r.h2;
      if (g >= l) g -= l;  // (h1 + j * h2) mod l, as h1, h2 < l
    }
  }
}

int PopCount(absl::string_view filter) {
  int n = 0;
  for (char c : filter) n += __builtin_popcount(static_cast<unsigned char>(c));
  return n;
}

}  // namespace crossforce::client
