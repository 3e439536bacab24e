#include "client/cli/flag_commands.h"

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/csv.h"
#include "crossforce/v1/flag_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace crossforce::client {
namespace {

std::string DateText(const v1::FlagEvidence& e) {
  if (!e.has_date()) return "";
  return absl::StrFormat("%04d-%02d-%02d", e.date().year(), e.date().month(), e.date().day());
}

std::string StateName(v1::FlagState state) {
  switch (state) {
    case v1::FLAG_NEW:
      return "new";
    case v1::FLAG_UPDATED:
      return "updated";
    case v1::FLAG_ESCALATED:
      return "escalated";
    case v1::FLAG_CLEARED:
      return "cleared";
    default:
      return "unknown";
  }
}

std::string OutcomeName(v1::DecisionOutcome outcome) {
  switch (outcome) {
    case v1::ACCEPTED:
      return "accepted";
    case v1::REJECTED:
      return "rejected";
    case v1::NEEDS_INFORMATION:
      return "needs_information";
    default:
      return "unknown";
  }
}

std::string JsonStrings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(JsonString(v));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

// As the export CSV spells them: "STALKING", not "OFFENCE_CODE_STALKING". Main code first.
std::string OffenceName(v1::OffenceCode code) {
  std::string name = v1::OffenceCode_Name(code);
  constexpr absl::string_view kPrefix = "OFFENCE_CODE_";
  if (absl::StartsWith(name, kPrefix)) name = name.substr(kPrefix.size());
  return name.empty() ? absl::StrCat(static_cast<int>(code)) : name;
}

std::vector<std::string> OffenceCodes(const v1::FlagEvidence& e) {
  std::vector<std::string> codes;
  if (e.main_offence() != v1::OFFENCE_CODE_UNSPECIFIED)
    codes.push_back(OffenceName(e.main_offence()));
  for (int c : e.included_offences()) codes.push_back(OffenceName(static_cast<v1::OffenceCode>(c)));
  return codes;
}

// One flag as one JSON line (the contract in flag_commands.h).
std::string FlagJson(const v1::Flag& f) {
  std::string out = absl::StrCat(
      "{\"flag_id\":", JsonString(f.flag_id()),
      ",\"pattern\":", JsonString(v1::Pattern_Name(f.pattern())), ",\"score\":", f.score(),
      ",\"state\":", JsonString(StateName(f.state())), ",\"entity_id\":", f.entity_id(),
      ",\"victim_entity_id\":", f.victim_entity_id(), ",\"forces\":", JsonStrings(f.forces()),
      ",\"alert_forces\":", JsonStrings(f.alert_forces()), ",\"records\":[");
  for (int i = 0; i < f.evidence_size(); ++i) {
    const v1::FlagEvidence& e = f.evidence(i);
    std::vector<std::string> codes;
    for (const std::string& c : OffenceCodes(e)) codes.push_back(JsonString(c));
    absl::StrAppend(
        &out, i ? "," : "", "{\"force_code\":", JsonString(e.record().force_code()),
        ",\"incident_id\":", JsonString(e.record().record_id()),
        ",\"suspect_ref\":", JsonString(e.suspect_ref()),
        ",\"victim_ref\":", JsonString(e.victim_ref()),
        ",\"record_kind\":", JsonString(e.kind() == v1::RECORD_KIND_ORDER ? "order" : "incident"),
        ",\"date\":", JsonString(DateText(e)), ",\"offence_codes\":[", absl::StrJoin(codes, ","),
        "],\"link_confidence\":", absl::StrFormat("%.6g", e.link_confidence()), "}");
  }
  absl::StrAppend(&out, "],\"factors\":[");
  for (int i = 0; i < f.factors_size(); ++i) {
    absl::StrAppend(&out, i ? "," : "", "{\"name\":", JsonString(f.factors(i).name()),
                    ",\"points\":", f.factors(i).points(),
                    ",\"detail\":", JsonString(f.factors(i).detail()), "}");
  }
  absl::StrAppend(&out, "],\"explanation\":", JsonStrings(f.explanation()), ",\"decision\":");
  if (f.has_decision()) {
    absl::StrAppend(&out, "{\"outcome\":", JsonString(OutcomeName(f.decision().outcome())),
                    ",\"user\":", JsonString(f.decision().user()),
                    ",\"reason\":", JsonString(f.decision().reason()), "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  return out + "}";
}

std::string Clip(const std::string& s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 3) + "...";
}

void PrintTableHeader() {
  std::printf("%-9s %-25s %5s %-9s %8s %-16s %7s  %s\n", "FLAG", "PATTERN", "SCORE", "STATE",
              "ENTITY", "FORCES", "RECORDS", "WHY");
}

void PrintTableRow(const v1::Flag& f) {
  std::printf("%-9s %-25s %5d %-9s %8llu %-16s %7d  %s\n", f.flag_id().c_str(),
              v1::Pattern_Name(f.pattern()).c_str(), f.score(), StateName(f.state()).c_str(),
              static_cast<unsigned long long>(f.entity_id()),
              Clip(absl::StrJoin(f.forces(), ","), 16).c_str(), f.evidence_size(),
              Clip(f.explanation_size() > 0 ? f.explanation(0) : "", 90).c_str());
}

constexpr char kCsvHeader[] =
    "flag_id,pattern,score,state,entity_id,victim_entity_id,forces,force_code,incident_id,"
    "suspect_ref,victim_ref,record_kind,date,offence_codes,link_confidence";

// One CSV row per record behind the flag (as `crossforce entities --format csv`).
void PrintCsvRows(const v1::Flag& f) {
  for (const v1::FlagEvidence& e : f.evidence()) {
    std::printf(
        "%s\n",
        CsvRow({f.flag_id(), v1::Pattern_Name(f.pattern()), std::to_string(f.score()),
                StateName(f.state()), std::to_string(f.entity_id()),
                std::to_string(f.victim_entity_id()), absl::StrJoin(f.forces(), ";"),
                e.record().force_code(), e.record().record_id(), e.suspect_ref(), e.victim_ref(),
                e.kind() == v1::RECORD_KIND_ORDER ? "order" : "incident", DateText(e),
                absl::StrJoin(OffenceCodes(e), ";"), absl::StrFormat("%.6g", e.link_confidence())})
            .c_str());
  }
}

absl::StatusOr<int> MinScore(const Flags& flags) {
  int min_score = 0;
  if (const std::string v = flags.Get("min-score"); !v.empty()) {
    if (!absl::SimpleAtoi(v, &min_score) || min_score < 0 || min_score > 100) {
      return absl::InvalidArgumentError("--min-score must be a whole number from 0 to 100");
    }
  }
  return min_score;
}

}  // namespace

int ListFlagsCommand(const Flags& flags) {
  if (absl::Status s = flags.Require({"server"}); !s.ok()) return Fail(s);
  const std::string format = flags.Get("format").empty() ? "table" : flags.Get("format");
  if (format != "table" && format != "jsonl" && format != "csv") {
    return Fail(absl::InvalidArgumentError("--format must be table, jsonl or csv"));
  }
  v1::ListFlagsRequest request;
  if (const std::string p = flags.Get("pattern"); !p.empty()) {
    v1::Pattern pattern;
    if (!v1::Pattern_Parse(absl::AsciiStrToUpper(p), &pattern) ||
        pattern == v1::PATTERN_UNSPECIFIED) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--pattern: unknown pattern '", p,
          "' (CROSS_FORCE_REPEAT, SERIAL_PERPETRATOR, VICTIM_PURSUIT, HIDDEN_COURSE_OF_CONDUCT, "
          "ESCALATION, ORDER_BREACH, SHARED_IDENTIFIER)")));
    }
    request.set_pattern(pattern);
  }
  absl::StatusOr<int> min_score = MinScore(flags);
  if (!min_score.ok()) return Fail(min_score.status());
  request.set_min_score(*min_score);
  request.set_force_code(flags.Get("force"));
  request.set_include_cleared(flags.Bool("include-cleared"));
  int64_t limit = -1;
  if (const std::string v = flags.Get("limit"); !v.empty()) {
    if (!absl::SimpleAtoi(v, &limit) || limit < 0) {
      return Fail(absl::InvalidArgumentError("--limit must be a whole number"));
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::FlagService::NewStub(*channel);
  if (format == "table") PrintTableHeader();
  if (format == "csv") std::printf("%s\n", kCsvHeader);
  int64_t shown = 0;
  do {
    request.set_page_size(500);
    v1::ListFlagsResponse response;
    const grpc::Status status = stub->ListFlags(CallContext().get(), request, &response);
    if (!status.ok()) return HubError(status);
    for (const v1::Flag& f : response.flags()) {
      if (limit >= 0 && shown >= limit) return kExitOk;
      ++shown;
      if (format == "jsonl") {
        std::printf("%s\n", FlagJson(f).c_str());
      } else if (format == "csv") {
        PrintCsvRows(f);
      } else {
        PrintTableRow(f);
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kExitOk;
}

int WatchCommand(const Flags& flags) {
  if (absl::Status s = flags.Require({"server"}); !s.ok()) return Fail(s);
  const std::string format = flags.Get("format").empty() ? "text" : flags.Get("format");
  if (format != "text" && format != "jsonl") {
    return Fail(absl::InvalidArgumentError("--format must be text or jsonl"));
  }
  absl::StatusOr<int> min_score = MinScore(flags);
  if (!min_score.ok()) return Fail(min_score.status());
  int64_t count = -1;  // alerts to print before exiting; -1: until the hub or the user stops
  if (const std::string v = flags.Get("count"); !v.empty()) {
    if (!absl::SimpleAtoi(v, &count) || count <= 0) {
      return Fail(absl::InvalidArgumentError("--count must be a positive whole number"));
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::FlagService::NewStub(*channel);
  v1::WatchFlagsRequest request;
  request.set_min_score(*min_score);
  request.set_force_code(flags.Get("force"));
  grpc::ClientContext context;  // no deadline: a watch lasts until stopped
  std::unique_ptr<grpc::ClientReader<v1::FlagAlert>> reader = stub->WatchFlags(&context, request);
  // Tells a script the subscription is live before any alert can arrive.
  reader->WaitForInitialMetadata();
  std::fprintf(stderr, "crossforce: watching %s for new and escalated flags\n",
               flags.Get("server").c_str());
  v1::FlagAlert alert;
  int64_t printed = 0;
  while (reader->Read(&alert)) {
    if (alert.missed() > 0) {
      std::fprintf(stderr, "crossforce: %llu alerts were missed (fell behind)\n",
                   static_cast<unsigned long long>(alert.missed()));
    }
    const v1::Flag& f = alert.flag();
    if (format == "jsonl") {
      std::printf("%s\n", FlagJson(f).c_str());
    } else {
      std::printf("ALERT %s %s score %d (%s) entity %llu forces %s: %s\n", f.flag_id().c_str(),
                  v1::Pattern_Name(f.pattern()).c_str(), f.score(), StateName(f.state()).c_str(),
                  static_cast<unsigned long long>(f.entity_id()),
                  absl::StrJoin(f.forces(), ",").c_str(),
                  f.explanation_size() > 0 ? f.explanation(0).c_str() : "");
    }
    std::fflush(stdout);
    if (count > 0 && ++printed >= count) {
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (count > 0 && printed >= count) return kExitOk;
  if (!status.ok()) return HubError(status);
  return kExitOk;
}

int DecideCommand(const Flags& flags) {
  if (absl::Status s = flags.Require({"server", "flag", "outcome", "user"}); !s.ok()) {
    return Fail(s);
  }
  v1::RecordDecisionRequest request;
  request.set_flag_id(flags.Get("flag"));
  const std::string outcome = absl::AsciiStrToLower(flags.Get("outcome"));
  if (outcome == "accepted") {
    request.set_outcome(v1::ACCEPTED);
  } else if (outcome == "rejected") {
    request.set_outcome(v1::REJECTED);
  } else if (outcome == "needs_information") {
    request.set_outcome(v1::NEEDS_INFORMATION);
  } else {
    return Fail(
        absl::InvalidArgumentError("--outcome must be accepted, rejected or needs_information"));
  }
  request.set_user(flags.Get("user"));
  request.set_reason(flags.Get("reason"));
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  v1::Flag flag;
  const grpc::Status status =
      v1::FlagService::NewStub(*channel)->RecordDecision(CallContext().get(), request, &flag);
  if (!status.ok()) return HubError(status);
  std::printf("%s\n", FlagJson(flag).c_str());
  return kExitOk;
}

int ProfileCommand(const Flags& flags) {
  if (absl::Status s = flags.Require({"server", "entity"}); !s.ok()) return Fail(s);
  v1::GetEntityProfileRequest request;
  uint64_t entity = 0;
  if (!absl::SimpleAtoi(flags.Get("entity"), &entity) || entity == 0) {
    return Fail(absl::InvalidArgumentError("--entity must be an entity id"));
  }
  request.set_entity_id(entity);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  v1::EntityProfile profile;
  const grpc::Status status =
      v1::FlagService::NewStub(*channel)->GetEntityProfile(CallContext().get(), request, &profile);
  if (!status.ok()) return HubError(status);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (auto s = google::protobuf::util::MessageToJsonString(profile, &json, options); !s.ok()) {
    return Fail(absl::InternalError(std::string(s.message())));
  }
  std::printf("%s\n", json.c_str());
  return kExitOk;
}

}  // namespace crossforce::client
