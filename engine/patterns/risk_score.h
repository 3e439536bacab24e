// The risk score of a flag: 0-100, the clamped sum of named factors, so an analyst can see why a
// flag ranks where it does. The factors and their points:
//   pattern          base points for the pattern itself: ORDER_BREACH 30; VICTIM_PURSUIT and
//                    ESCALATION 25; CROSS_FORCE_REPEAT, SERIAL_PERPETRATOR and
//                    HIDDEN_COURSE_OF_CONDUCT 20; SHARED_IDENTIFIER 10
//   forces           8 per force beyond the first, at most 20
//   victims          6 per distinct victim beyond the first, at most 18
//   recency          latest evidence within 30 days 15, 90 days 10, 365 days 5
//   severity_trend   2 per level of the worst behaviour (contact 1 ... violence 6), plus 5 when
//                    the latest incident is the worst yet and worse than the first
//   order_status     15 when evidence falls inside a protective order on the suspect, 5 when an
//                    order is active today without a breach
//   link_confidence  minus 30 x (1 - the weakest link confidence among the evidence): a flag that
//                    rests on an uncertain link ranks lower
// Thread-safe (pure functions).
#ifndef CROSSFORCE_ENGINE_PATTERNS_RISK_SCORE_H_
#define CROSSFORCE_ENGINE_PATTERNS_RISK_SCORE_H_

#include <vector>

#include "engine/patterns/case_record.h"
#include "engine/patterns/flag.h"

namespace crossforce {

struct RiskInputs {
  Pattern pattern = Pattern::kCrossForceRepeat;
  int forces = 0;
  int victims = 0;
  int days_since_latest = -1;  // -1: no dated evidence
  Severity worst = Severity::kNone;
  bool rising = false;
  bool order_breached = false;
  bool order_active = false;
  double weakest_link_confidence = 1;
};

// The factors, in the order above (factors worth nothing are kept, so every flag shows all of
// them), and their clamped sum.
std::vector<ScoreFactor> RiskFactors(const RiskInputs& inputs);
int RiskScore(const std::vector<ScoreFactor>& factors);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_RISK_SCORE_H_
