// The storage form of a flag (the flags table): a format byte, then every field. Thread-safe
// (pure functions).
#ifndef CROSSFORCE_ENGINE_PATTERNS_FLAG_CODEC_H_
#define CROSSFORCE_ENGINE_PATTERNS_FLAG_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/patterns/flag.h"

namespace crossforce {

std::string EncodeFlag(const Flag& flag);
// DataLoss for damaged or truncated bytes.
absl::StatusOr<Flag> DecodeFlag(absl::string_view bytes);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_FLAG_CODEC_H_
