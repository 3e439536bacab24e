#include "engine/patterns/risk_score.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crossforce {
namespace {

int PatternPoints(Pattern pattern) {
  switch (pattern) {
    case Pattern::kOrderBreach:
      return 30;
    case Pattern::kVictimPursuit:
    case Pattern::kEscalation:
      return 25;
    case Pattern::kCrossForceRepeat:
    case Pattern::kSerialPerpetrator:
    case Pattern::kHiddenCourseOfConduct:
      return 20;
    case Pattern::kSharedIdentifier:
      return 10;
  }
  return 0;
}

}  // namespace

std::vector<ScoreFactor> RiskFactors(const RiskInputs& in) {
  std::vector<ScoreFactor> out;
  out.push_back({"pattern", PatternPoints(in.pattern), PatternName(in.pattern)});
  out.push_back({"forces", std::min(20, 8 * std::max(0, in.forces - 1)),
                 absl::StrCat(in.forces, in.forces == 1 ? " force" : " forces")});
  out.push_back({"victims", std::min(18, 6 * std::max(0, in.victims - 1)),
                 absl::StrCat(in.victims, in.victims == 1 ? " victim" : " victims")});
  int recency = 0;
  if (in.days_since_latest >= 0) {
    recency = in.days_since_latest <= 30    ? 15
              : in.days_since_latest <= 90  ? 10
              : in.days_since_latest <= 365 ? 5
                                            : 0;
  }
  out.push_back({"recency", recency,
                 in.days_since_latest < 0
                     ? std::string("no dated evidence")
                     : absl::StrCat("latest evidence ", in.days_since_latest, " days ago")});
  const int severity = 2 * static_cast<int>(in.worst) + (in.rising ? 5 : 0);
  out.push_back({"severity_trend", severity,
                 absl::StrCat("worst: ", SeverityName(in.worst), in.rising ? ", rising" : "")});
  const int order = in.order_breached ? 15 : in.order_active ? 5 : 0;
  out.push_back({"order_status", order,
                 in.order_breached ? "incident inside a protective order"
                 : in.order_active ? "protective order active"
                                   : "no protective order"});
  const double confidence = std::clamp(in.weakest_link_confidence, 0.0, 1.0);
  out.push_back({"link_confidence", -static_cast<int>(std::lround(30 * (1 - confidence))),
                 absl::StrFormat("weakest link %.3f", confidence)});
  return out;
}

int RiskScore(const std::vector<ScoreFactor>& factors) {
  int sum = 0;
  for (const ScoreFactor& f : factors) sum += f.points;
  return std::clamp(sum, 0, 100);
}

}  // namespace crossforce
