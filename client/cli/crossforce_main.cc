// crossforce: the force-side command line. Normalises and anonymises a force's export on the
// force's own machine and streams only tokens and encodings to the hub.
//
//   crossforce keygen --out FILE
//   crossforce fingerprint --key FILE
//   crossforce ingest --server HOST:PORT --key FILE --force CODE --in FILE.csv [--insecure]
//   crossforce anonymise --key FILE --force CODE --in FILE.csv --out FILE.jsonl
//   crossforce upload --server HOST:PORT --in FILE.jsonl [--insecure]
//   crossforce stats --server HOST:PORT [--insecure]
//   crossforce entities | explain | relink | flags | watch | decide | profile  (see kUsage)
//
// Exit codes: 0 done; 1 some rows were rejected (unless --allow-rejects); 2 bad usage; 3 failed.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/anonymiser.h"
#include "client/cli/cli_support.h"
#include "client/cli/flag_commands.h"
#include "client/csv.h"
#include "client/force_export.h"
#include "client/linkage_key.h"
#include "client/uploader.h"
#include "crossforce/v1/linkage_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace crossforce::client {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  crossforce keygen --out FILE\n"
    "  crossforce fingerprint --key FILE\n"
    "  crossforce ingest --server HOST:PORT --key FILE --force CODE --in FILE.csv [--insecure]\n"
    "      [--ca FILE] [--rejects FILE] [--ignore-unknown-columns] [--allow-rejects]\n"
    "      [--record-version N] [--timeout SECONDS]\n"
    "  crossforce anonymise --key FILE --force CODE --in FILE.csv --out FILE.jsonl\n"
    "      [--rejects FILE] [--ignore-unknown-columns] [--allow-rejects] [--record-version N]\n"
    "  crossforce upload --server HOST:PORT --in FILE.jsonl [--insecure] [--ca FILE]\n"
    "      [--rejects FILE] [--allow-rejects] [--timeout SECONDS]\n"
    "  crossforce stats --server HOST:PORT [--insecure] [--ca FILE]\n"
    "  crossforce schema --key FILE   (clkhash schema and master secrets of the record filter)\n"
    "  crossforce entities --server HOST:PORT [--format jsonl|csv] [--insecure] [--ca FILE]\n"
    "  crossforce explain --server HOST:PORT --a FORCE/RECORD/REF --b FORCE/RECORD/REF "
    "[--insecure]\n"
    "  crossforce relink --server HOST:PORT [--insecure]   (the batch job: refit and relink)\n"
    "  crossforce flags --server HOST:PORT [--pattern P] [--min-score N] [--force CODE]\n"
    "      [--format table|jsonl|csv] [--include-cleared] [--limit N] [--insecure]\n"
    "  crossforce watch --server HOST:PORT [--min-score N] [--force CODE] [--format text|jsonl]\n"
    "      [--count N] [--insecure]\n"
    "  crossforce decide --server HOST:PORT --flag ID --outcome accepted|rejected|"
    "needs_information\n"
    "      --user NAME [--reason TEXT] [--insecure]\n"
    "  crossforce profile --server HOST:PORT --entity ID [--insecure]\n";

CivilDate Today() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  return CivilDate{static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// "DIR/NAME.rejects.csv" beside "DIR/NAME.csv".
std::string DefaultRejectsPath(const std::string& input) {
  const size_t dot = input.rfind('.');
  const size_t slash = input.rfind('/');
  const std::string stem = dot != std::string::npos && (slash == std::string::npos || dot > slash)
                               ? input.substr(0, dot)
                               : input;
  return stem + ".rejects.csv";
}

// Prints progress: a bar on a terminal, plain lines otherwise.
class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)), tty_(isatty(STDERR_FILENO)) {}
  void Update(size_t done, size_t total) {
    if (tty_) {
      const int width = 30;
      const int filled = total == 0 ? width : static_cast<int>(width * done / total);
      std::fprintf(stderr, "\r%s [%s%s] %zu/%zu", what_.c_str(), std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), done, total);
      if (done == total) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "%s: %zu/%zu records\n", what_.c_str(), done, total);
    }
  }

 private:
  const std::string what_;
  const bool tty_;
};

absl::StatusOr<ParsedExport> AnonymiseExport(const Flags& flags) {
  absl::StatusOr<LinkageKey> key = LinkageKey::ReadFile(flags.Get("key"));
  if (!key.ok()) return key.status();
  ExportOptions options;
  options.force_code = flags.Get("force");
  options.ignore_unknown_columns = flags.Bool("ignore-unknown-columns");
  options.today = Today();
  const std::string input = flags.Get("in");
  if (const std::string v = flags.Get("record-version"); !v.empty()) {
    if (!absl::SimpleAtoi(v, &options.default_version) || options.default_version == 0) {
      return absl::InvalidArgumentError("--record-version must be a positive whole number");
    }
  } else {
    // Without record_version, a later export of the same file gets a higher version: its mtime.
    struct stat st;
    if (stat(input.c_str(), &st) == 0 && st.st_mtime > 0) {
      options.default_version = static_cast<uint64_t>(st.st_mtime);
    }
  }
  Anonymiser anonymiser(*key);
  absl::StatusOr<ParsedExport> parsed = ReadForceExport(input, options, anonymiser);
  if (!parsed.ok()) return parsed.status();
  constexpr size_t kShownWarnings = 20;
  for (size_t i = 0; i < parsed->warnings.size() && i < kShownWarnings; ++i) {
    const RowIssue& w = parsed->warnings[i];
    std::cerr << "warning: line " << w.line << " " << w.column << ": " << w.reason << "\n";
  }
  if (parsed->warnings.size() > kShownWarnings) {
    std::cerr << "warning: " << parsed->warnings.size() - kShownWarnings << " more warnings\n";
  }
  return parsed;
}

// Adds the hub's refusals to `rejects`, one per source line of each refused record.
size_t CollectHubRejects(const std::vector<v1::ExportEntry>& entries,
                         const std::vector<v1::RecordResult>& results,
                         std::vector<RowIssue>* rejects) {
  size_t refused = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome() != v1::INGEST_OUTCOME_REJECTED) continue;
    ++refused;
    std::vector<std::string> reasons;
    std::string field;
    for (const v1::FieldViolation& v : results[i].violations()) {
      if (field.empty()) field = v.field();
      reasons.push_back(absl::StrCat(v.field(), ": ", v.reason()));
    }
    const std::string reason = absl::StrCat("hub: ", absl::StrJoin(reasons, "; "));
    const v1::Record& record = entries[i].record();
    const std::string id = record.has_incident() ? record.incident().key().record_id()
                                                 : record.order().key().record_id();
    for (int64_t line : entries[i].source_lines()) rejects->push_back({line, id, field, reason});
    if (entries[i].source_lines().empty()) rejects->push_back({0, id, field, reason});
  }
  return refused;
}

// Uploads `entries`, writes rejects, prints the summary; returns the exit code.
int UploadAndReport(const Flags& flags, std::vector<v1::ExportEntry>& entries,
                    std::vector<RowIssue> rejects, int64_t rows_read, size_t warnings,
                    const std::string& rejects_path) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::IngestService::NewStub(*channel);
  UploadOptions options;
  if (const std::string t = flags.Get("timeout"); !t.empty()) {
    int seconds = 0;
    if (!absl::SimpleAtoi(t, &seconds) || seconds <= 0) {
      return Fail(absl::InvalidArgumentError("--timeout must be a positive number of seconds"));
    }
    options.call_timeout = absl::Seconds(seconds);
  }
  std::vector<const v1::Record*> records;
  records.reserve(entries.size());
  for (const v1::ExportEntry& e : entries) records.push_back(&e.record());
  Progress progress("upload");
  absl::StatusOr<std::vector<v1::RecordResult>> results = UploadRecords(
      *stub, records, options, [&](size_t done, size_t total) { progress.Update(done, total); });
  if (!results.ok()) return Fail(results.status());

  const size_t row_rejects = rejects.size();
  const size_t refused = CollectHubRejects(entries, *results, &rejects);
  size_t created = 0, replaced = 0, unchanged = 0, stale = 0;
  for (const v1::RecordResult& r : *results) {
    created += r.outcome() == v1::INGEST_OUTCOME_CREATED;
    replaced += r.outcome() == v1::INGEST_OUTCOME_REPLACED;
    unchanged += r.outcome() == v1::INGEST_OUTCOME_UNCHANGED;
    stale += r.outcome() == v1::INGEST_OUTCOME_STALE;
  }
  if (!rejects.empty()) {
    if (absl::Status s = WriteRejects(rejects_path, rejects); !s.ok()) return Fail(s);
  }
  std::printf(
      "rows read %lld, records sent %zu, accepted %zu (created %zu, replaced %zu, unchanged %zu), "
      "rejected %zu (%zu rows at the client, %zu records by the hub), stale %zu, warnings %zu\n",
      static_cast<long long>(rows_read), records.size(), created + replaced + unchanged, created,
      replaced, unchanged, row_rejects + refused, row_rejects, refused, stale, warnings);
  if (!rejects.empty()) std::printf("rejects written to %s\n", rejects_path.c_str());
  return rejects.empty() || flags.Bool("allow-rejects") ? kExitOk : kExitRejects;
}

int Keygen(const Flags& flags) {
  if (absl::Status s = flags.Require({"out"}); !s.ok()) return Fail(s);
  absl::StatusOr<LinkageKey> key = LinkageKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (absl::Status s = key->WriteFile(flags.Get("out")); !s.ok()) return Fail(s);
  std::printf("wrote %s (mode 0600); key fingerprint %s\n", flags.Get("out").c_str(),
              key->FingerprintHex().c_str());
  return kExitOk;
}

int Fingerprint(const Flags& flags) {
  if (absl::Status s = flags.Require({"key"}); !s.ok()) return Fail(s);
  absl::StatusOr<LinkageKey> key = LinkageKey::ReadFile(flags.Get("key"));
  if (!key.ok()) return Fail(key.status());
  std::printf("%s\n", key->FingerprintHex().c_str());
  return kExitOk;
}

int Ingest(const Flags& flags) {
  if (absl::Status s = flags.Require({"server", "key", "force", "in"}); !s.ok()) return Fail(s);
  absl::StatusOr<ParsedExport> parsed = AnonymiseExport(flags);
  if (!parsed.ok()) return Fail(parsed.status());
  const std::string rejects_path =
      flags.Get("rejects").empty() ? DefaultRejectsPath(flags.Get("in")) : flags.Get("rejects");
  return UploadAndReport(flags, parsed->entries, parsed->rejects, parsed->rows_read,
                         parsed->warnings.size(), rejects_path);
}

int Anonymise(const Flags& flags) {
  if (absl::Status s = flags.Require({"key", "force", "in", "out"}); !s.ok()) return Fail(s);
  absl::StatusOr<ParsedExport> parsed = AnonymiseExport(flags);
  if (!parsed.ok()) return Fail(parsed.status());
  std::ofstream out(flags.Get("out"), std::ios::trunc);
  if (!out)
    return Fail(absl::PermissionDeniedError(absl::StrCat("cannot write ", flags.Get("out"))));
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  for (const v1::ExportEntry& entry : parsed->entries) {
    std::string line;
    if (auto s = google::protobuf::util::MessageToJsonString(entry, &line, json); !s.ok()) {
      return Fail(absl::InternalError(std::string(s.message())));
    }
    out << line << "\n";
  }
  out.close();
  if (!out) return Fail(absl::DataLossError(absl::StrCat("could not write ", flags.Get("out"))));
  const std::string rejects_path =
      flags.Get("rejects").empty() ? DefaultRejectsPath(flags.Get("in")) : flags.Get("rejects");
  if (!parsed->rejects.empty()) {
    if (absl::Status s = WriteRejects(rejects_path, parsed->rejects); !s.ok()) return Fail(s);
  }
  std::printf("rows read %lld, records written %zu, rejected %zu, warnings %zu\n",
              static_cast<long long>(parsed->rows_read), parsed->entries.size(),
              parsed->rejects.size(), parsed->warnings.size());
  if (!parsed->rejects.empty()) std::printf("rejects written to %s\n", rejects_path.c_str());
  return parsed->rejects.empty() || flags.Bool("allow-rejects") ? kExitOk : kExitRejects;
}

int Upload(const Flags& flags) {
  if (absl::Status s = flags.Require({"server", "in"}); !s.ok()) return Fail(s);
  std::ifstream in(flags.Get("in"));
  if (!in) return Fail(absl::NotFoundError(absl::StrCat("cannot open ", flags.Get("in"))));
  std::vector<v1::ExportEntry> entries;
  std::vector<RowIssue> rejects;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    v1::ExportEntry entry;
    if (auto s = google::protobuf::util::JsonStringToMessage(line, &entry); !s.ok()) {
      rejects.push_back({line_number, "", "",
                         absl::StrCat("not an anonymised record: ", std::string(s.message()))});
      continue;
    }
    entries.push_back(std::move(entry));
  }
  const std::string rejects_path =
      flags.Get("rejects").empty() ? DefaultRejectsPath(flags.Get("in")) : flags.Get("rejects");
  return UploadAndReport(flags, entries, std::move(rejects), line_number, 0, rejects_path);
}

// Prints what a force needs to make the record-level filter with clkhash instead: the linkage
// schema and the two master secrets. The secrets are as sensitive as the key file.
int Schema(const Flags& flags) {
  if (absl::Status s = flags.Require({"key"}); !s.ok()) return Fail(s);
  absl::StatusOr<LinkageKey> key = LinkageKey::ReadFile(flags.Get("key"));
  if (!key.ok()) return Fail(key.status());
  const auto [first, second] = ClkhashMasterSecrets(*key);
  std::printf("%s", ClkhashSchemaJson().c_str());
  std::printf("# clkhash master secrets (hex), as sensitive as the key file:\n# %s\n# %s\n",
              absl::BytesToHexString(first).c_str(), absl::BytesToHexString(second).c_str());
  return kExitOk;
}

// Lists the hub's person entities: one JSON object (or CSV rows) per entity and role.
int Entities(const Flags& flags) {
  if (absl::Status s = flags.Require({"server"}); !s.ok()) return Fail(s);
  const std::string format = flags.Get("format").empty() ? "jsonl" : flags.Get("format");
  if (format != "jsonl" && format != "csv") {
    return Fail(absl::InvalidArgumentError("--format must be jsonl or csv"));
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::LinkageService::NewStub(*channel);
  if (format == "csv") {
    std::printf("entity_id,role,force_code,incident_id,ref,record_kind,link_confidence\n");
  }
  std::string token;
  do {
    v1::ListEntitiesRequest request;
    request.set_page_size(5000);
    request.set_page_token(token);
    v1::ListEntitiesResponse response;
    const grpc::Status status = stub->ListEntities(CallContext().get(), request, &response);
    if (!status.ok()) return HubError(status);
    for (const v1::Entity& entity : response.entities()) {
      for (const char* role : {"suspect", "victim"}) {
        std::vector<const v1::PersonRef*> records;
        std::vector<std::string> confidence;  // "" where the hub gave none (an older hub)
        for (int k = 0; k < entity.records_size(); ++k) {
          const v1::PersonRef& r = entity.records(k);
          const bool victim = r.role() == v1::PARTY_ROLE_VICTIM;
          if (victim != (std::string(role) == "victim")) continue;
          records.push_back(&r);
          confidence.push_back(k < entity.link_confidence_size()
                                   ? absl::StrFormat("%.6g", entity.link_confidence(k))
                                   : std::string());
        }
        if (records.empty()) continue;
        if (format == "csv") {
          for (size_t i = 0; i < records.size(); ++i) {
            const v1::PersonRef* r = records[i];
            std::printf(
                "%s\n",
                CsvRow({std::to_string(entity.entity_id()), role, r->record().force_code(),
                        r->record().record_id(), r->nominal_ref(),
                        r->kind() == v1::RECORD_KIND_ORDER ? "order" : "incident", confidence[i]})
                    .c_str());
          }
          continue;
        }
        std::string line = absl::StrCat("{\"entity_id\":", entity.entity_id(),
                                        ",\"role\":", JsonString(role), ",\"records\":[");
        for (size_t i = 0; i < records.size(); ++i) {
          const v1::PersonRef& r = *records[i];
          absl::StrAppend(&line, i ? "," : "",
                          "{\"force_code\":", JsonString(r.record().force_code()),
                          ",\"incident_id\":", JsonString(r.record().record_id()),
                          ",\"ref\":", JsonString(r.nominal_ref()), ",\"record_kind\":",
                          JsonString(r.kind() == v1::RECORD_KIND_ORDER ? "order" : "incident"),
                          confidence[i].empty() ? "" : ",\"link_confidence\":", confidence[i], "}");
        }
        std::printf("%s]}\n", line.c_str());
      }
    }
    token = response.next_page_token();
  } while (!token.empty());
  return kExitOk;
}

// FORCE/RECORD/REF, where the record id may itself hold '/'.
absl::StatusOr<v1::PersonRef> ParsePersonRef(absl::string_view text, absl::string_view flag) {
  const size_t first = text.find('/');
  const size_t last = text.rfind('/');
  if (first == absl::string_view::npos || first == last || last + 1 == text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be FORCE/RECORD_ID/REF, not '", text, "'"));
  }
  v1::PersonRef ref;
  ref.set_kind(v1::RECORD_KIND_INCIDENT);
  ref.mutable_record()->set_force_code(std::string(text.substr(0, first)));
  ref.mutable_record()->set_record_id(std::string(text.substr(first + 1, last - first - 1)));
  ref.set_nominal_ref(std::string(text.substr(last + 1)));
  return ref;
}

int Explain(const Flags& flags) {
  if (absl::Status s = flags.Require({"server", "a", "b"}); !s.ok()) return Fail(s);
  v1::ExplainLinkRequest request;
  absl::StatusOr<v1::PersonRef> a = ParsePersonRef(flags.Get("a"), "a");
  if (!a.ok()) return Fail(a.status());
  absl::StatusOr<v1::PersonRef> b = ParsePersonRef(flags.Get("b"), "b");
  if (!b.ok()) return Fail(b.status());
  *request.mutable_a() = *a;
  *request.mutable_b() = *b;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::LinkageService::NewStub(*channel);
  v1::ExplainLinkResponse response;
  const grpc::Status status = stub->ExplainLink(CallContext().get(), request, &response);
  if (!status.ok()) return HubError(status);
  std::printf("%s (entity %llu) vs %s (entity %llu)\n", flags.Get("a").c_str(),
              static_cast<unsigned long long>(response.entity_a()), flags.Get("b").c_str(),
              static_cast<unsigned long long>(response.entity_b()));
  std::printf("match weight %.2f (links at >= %.2f, never together below %.2f): %s\n",
              response.weight(), response.link_weight(), response.cannot_link_weight(),
              response.same_entity() ? "same entity" : "different entities");
  if (response.weight() >= response.link_weight()) {
    std::printf(
        "link confidence %.3f (the measured chance that records linked at this weight "
        "are one person)\n",
        response.confidence());
  }
  std::printf("%-14s %-38s %8s %10s\n", "comparison", "level", "weight", "similarity");
  for (const v1::ComparisonExplanation& c : response.comparisons()) {
    const std::string similarity =
        c.similarity() >= 0 ? absl::StrFormat("%.3f", c.similarity()) : std::string("-");
    std::printf("%-14s %-38s %8.2f %10s%s\n", c.comparison().c_str(), c.level().c_str(), c.weight(),
                similarity.c_str(), c.term_frequency_adjusted() ? "  (value frequency)" : "");
  }
  return kExitOk;
}

int Relink(const Flags& flags) {
  if (absl::Status s = flags.Require({"server"}); !s.ok()) return Fail(s);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::LinkageService::NewStub(*channel);
  v1::RelinkResponse response;
  const grpc::Status status =
      stub->Relink(CallContext(/*seconds=*/3600).get(), v1::RelinkRequest(), &response);
  if (!status.ok()) return HubError(status);
  std::printf("relinked %llu person records into %llu entities (%llu links)\n",
              static_cast<unsigned long long>(response.persons()),
              static_cast<unsigned long long>(response.entities()),
              static_cast<unsigned long long>(response.links()));
  return kExitOk;
}

// The linker's holdings and its RAM by part, in bytes a person record (the unit to size a hub
// by), with when they were measured.
void PrintLinkerStats(const v1::LinkerStats& linker) {
  const std::string measured =
      linker.has_measured_at()
          ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                             absl::FromUnixSeconds(linker.measured_at().seconds()),
                             absl::UTCTimeZone())
          : "never";
  std::printf("linker %llu person records, %llu entities, %llu links (measured %s)\n",
              static_cast<unsigned long long>(linker.person_records()),
              static_cast<unsigned long long>(linker.entities()),
              static_cast<unsigned long long>(linker.links()), measured.c_str());
  const v1::LinkerMemory& m = linker.memory();
  const double per = static_cast<double>(std::max<uint64_t>(linker.person_records(), 1));
  const std::pair<const char*, uint64_t> parts[] = {{"record_bands", m.record_bands()},
                                                    {"address_bands", m.address_bands()},
                                                    {"token_blocks", m.token_blocks()},
                                                    {"record_filters", m.record_filters()},
                                                    {"person_slots", m.person_slots()},
                                                    {"key_maps", m.key_maps()},
                                                    {"links", m.links()},
                                                    {"entities", m.entities()},
                                                    {"records_anonymous", m.records_anonymous()}};
  std::string by_part;
  for (const auto& [name, bytes] : parts) {
    absl::StrAppend(&by_part, by_part.empty() ? "" : ", ", name, " ",
                    absl::StrFormat("%.0f", static_cast<double>(bytes) / per));
  }
  std::printf("linker RAM %.1f MiB, %.0f B a person record (%s); records file %.1f MiB\n",
              static_cast<double>(m.anonymous()) / (1 << 20),
              static_cast<double>(m.anonymous()) / per, by_part.c_str(),
              static_cast<double>(m.records_in_file()) / (1 << 20));
}

int Stats(const Flags& flags) {
  if (absl::Status s = flags.Require({"server"}); !s.ok()) return Fail(s);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = HubChannel(flags);
  if (!channel.ok()) return Fail(channel.status());
  auto stub = v1::IngestService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetStatsResponse stats;
  const grpc::Status status = stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  if (!status.ok()) return HubError(status);
  std::printf("hub %s: %llu incidents, %llu orders, %llu tombstones; schema %s, key %s\n",
              stats.server_version().c_str(), static_cast<unsigned long long>(stats.incidents()),
              static_cast<unsigned long long>(stats.orders()),
              static_cast<unsigned long long>(stats.tombstones()),
              stats.federation().schema_id().c_str(),
              absl::BytesToHexString(stats.federation().key_fingerprint()).c_str());
  std::printf("%-8s %10s %8s %10s\n", "force", "incidents", "orders", "tombstones");
  for (const v1::ForceStats& f : stats.forces()) {
    std::printf("%-8s %10llu %8llu %10llu\n", f.force_code().c_str(),
                static_cast<unsigned long long>(f.incidents()),
                static_cast<unsigned long long>(f.orders()),
                static_cast<unsigned long long>(f.tombstones()));
  }
  std::printf("flags %llu; linking backlog %llu\n", static_cast<unsigned long long>(stats.flags()),
              static_cast<unsigned long long>(stats.linking_backlog()));
  PrintLinkerStats(stats.linker());
  return kExitOk;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = argv[1];
  const std::set<std::string> booleans = {"insecure", "ignore-unknown-columns", "allow-rejects",
                                          "include-cleared"};
  const std::set<std::string> valued = {
      "server",  "key",   "force",  "in",      "out",  "rejects", "record-version",
      "timeout", "ca",    "format", "a",       "b",    "pattern", "min-score",
      "limit",   "count", "flag",   "outcome", "user", "reason",  "entity"};
  absl::StatusOr<Flags> flags = Flags::Parse(argc - 2, argv + 2, valued, booleans);
  if (!flags.ok()) {
    std::cerr << "crossforce: " << flags.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  if (command == "keygen") return Keygen(*flags);
  if (command == "fingerprint") return Fingerprint(*flags);
  if (command == "ingest") return Ingest(*flags);
  if (command == "anonymise" || command == "anonymize") return Anonymise(*flags);
  if (command == "upload") return Upload(*flags);
  if (command == "stats") return Stats(*flags);
  if (command == "schema") return Schema(*flags);
  if (command == "entities") return Entities(*flags);
  if (command == "explain") return Explain(*flags);
  if (command == "relink") return Relink(*flags);
  if (command == "flags") return ListFlagsCommand(*flags);
  if (command == "watch") return WatchCommand(*flags);
  if (command == "decide") return DecideCommand(*flags);
  if (command == "profile") return ProfileCommand(*flags);
  std::cerr << "crossforce: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace
}  // namespace crossforce::client

int main(int argc, char** argv) { return crossforce::client::Main(argc, argv); }
