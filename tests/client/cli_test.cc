// The `crossforce` CLI end to end against a real hub (127.0.0.1, ephemeral port, RocksDB in a temp
// directory), including the proof of privacy: after ingesting a generated multi-force data set, no
// raw identifier from the input appears in any key or value of the store or in any file under the
// hub's data directory.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/csv.h"
#include "client/demo_data.h"
#include "client/normalise.h"
#include "engine/rocksdb_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace crossforce::client {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command line, capturing stdout and stderr.
CommandResult RunCliRaw(const std::string& command_line) {
  const std::string command = absl::StrCat(command_line, " 2>&1");
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult RunCli(const std::string& args) {
  return RunCliRaw(absl::StrCat(CROSSFORCE_CLI_PATH, " ", args));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every identifying value of the CSV files, as written and in normal form; values under five
// characters are left out because they occur by chance in kilobytes of random-looking bits.
std::set<std::string> RawIdentifiers(const std::vector<std::string>& files) {
  std::set<std::string> values;
  const auto add = [&](const std::string& v) {
    if (v.size() >= 5) values.insert(v);
  };
  for (const std::string& file : files) {
    auto reader = CsvReader::Open(file);
    if (!reader.ok()) continue;
    std::vector<std::string> header, row;
    int64_t line = 0;
    if (!*(*reader)->Next(&header, &line)) continue;
    while (*(*reader)->Next(&row, &line)) {
      for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
        const std::string& column = header[i];
        const std::string& value = row[i];
        if (value.empty() || column.find("_ref") != std::string::npos ||
            column.find('_') == std::string::npos) {
          continue;
        }
        const bool identity = column.find("name") != std::string::npos ||
                              column.find("dob") != std::string::npos ||
                              column.find("postcode") != std::string::npos ||
                              column.find("phone") != std::string::npos ||
                              column.find("email") != std::string::npos ||
                              column.find("vehicle") != std::string::npos ||
                              column.find("pnc") != std::string::npos ||
                              column.find("birth_place") != std::string::npos ||
                              column.find("occupation") != std::string::npos;
        if (!identity || column == "location_district") continue;
        add(value);
        add(NormaliseName(value));
        if (column.find("birth_place") != std::string::npos) add(NormalisePlaceName(value));
        if (column.find("occupation") != std::string::npos) add(NormaliseOccupation(value));
        if (auto phone = NormalisePhone(value); phone.ok()) add(*phone);
        if (auto email = NormaliseEmail(value); email.ok()) add(*email);
        if (auto reg = NormaliseVehicle(value);
            reg.ok() && column.find("vehicle") != std::string::npos)
          add(*reg);
        if (auto pc = NormalisePostcode(value);
            pc.ok() && column.find("postcode") != std::string::npos) {
          add(pc->full);
          std::string compact = pc->full;
          compact.erase(std::remove(compact.begin(), compact.end(), ' '), compact.end());
          add(compact);
        }
        if (auto date = ParseDate(value); date.ok()) {
          add(IsoDate(*date));
          add(absl::StrFormat("%04d%02d%02d", date->year, date->month, date->day));
        }
      }
    }
  }
  return values;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options = server_.DefaultOptions();
    options.engine.compression = false;  // so that raw values would be visible in the files
    ASSERT_THAT(server_.Start(options), IsOk());
    key_ = server_.dir().Sub("federation.key");
    ASSERT_EQ(RunCli(absl::StrCat("keygen --out ", key_)).exit_code, 0);
  }

  std::string Ingest(const std::string& force, const std::string& file,
                     const std::string& extra = "") {
    return absl::StrCat("ingest --server ", server_.address(), " --key ", key_, " --force ", force,
                        " --in ", file, " --insecure ", extra);
  }

  TestServer server_;
  std::string key_;
};

TEST_F(CliTest, IngestsAGeneratedFederationAndTheHubHoldsNoRawIdentifier) {
  DemoDataOptions options;
  options.forces = 3;
  options.suspects = 80;
  const std::string data = server_.dir().Sub("exports");
  absl::StatusOr<DemoDataSummary> summary = WriteDemoData(data, options);
  ASSERT_THAT(summary, IsOk());
  std::set<std::string> incident_ids;
  for (size_t f = 0; f < summary->force_codes.size(); ++f) {
    const CommandResult incidents =
        RunCli(Ingest(summary->force_codes[f], summary->incident_files[f]));
    EXPECT_EQ(incidents.exit_code, 0) << incidents.output;
    EXPECT_THAT(incidents.output, HasSubstr("rejected 0"));
    const CommandResult orders = RunCli(Ingest(summary->force_codes[f], summary->order_files[f]));
    EXPECT_EQ(orders.exit_code, 0) << orders.output;
  }
  const HubStats stats = server_.server().engine()->Stats();
  EXPECT_GT(stats.totals.incidents, 100u);
  EXPECT_GT(stats.totals.orders, 0u);

  // The entities JSONL contract: one object per entity and role, with entity_id, role and records
  // of force_code, incident_id and ref (and each record's link_confidence); checked by an
  // independent JSON parser.
  const std::string hub = absl::StrCat(" --server ", server_.address(), " --insecure");
  ASSERT_EQ(RunCli(absl::StrCat("relink", hub)).exit_code, 0);
  // The hub's size, for sizing a hub: the linker's holdings and its RAM by part.
  const HubStats relinked = server_.server().engine()->Stats();
  const CommandResult hub_stats = RunCli(absl::StrCat("stats", hub));
  ASSERT_EQ(hub_stats.exit_code, 0) << hub_stats.output;
  EXPECT_THAT(hub_stats.output,
              HasSubstr(absl::StrCat("linker ", relinked.linker.person_records, " person records, ",
                                     relinked.linker.entities, " entities, ", relinked.linker.links,
                                     " links (measured 20")));
  EXPECT_THAT(hub_stats.output,
              HasSubstr(absl::StrFormat("B a person record (record_bands %.0f, ",
                                        static_cast<double>(relinked.linker.memory.record_bands) /
                                            relinked.linker.person_records)));
  const std::string jsonl = server_.dir().Sub("entities.jsonl");
  ASSERT_EQ(RunCli(absl::StrCat("entities", hub, " --format jsonl > ", jsonl)).exit_code, 0);
  const CommandResult check = RunCliRaw(absl::StrCat(
      "/usr/bin/python3 -c \"import json,sys\n"
      "n=0; multi=0\n"
      "for line in open(sys.argv[1]):\n"
      "  o=json.loads(line); n+=1\n"
      "  assert isinstance(o['entity_id'], int) and o['role'] in ('suspect','victim')\n"
      "  assert o['records'] and all(set(['force_code','incident_id','ref']) <= set(r) for r in "
      "o['records'])\n"
      "  assert all(0 <= r['link_confidence'] <= 1 for r in o['records'])\n"
      "  multi += len(set(r['force_code'] for r in o['records'])) > 1\n"
      "print(n, multi)\" ",
      jsonl));
  ASSERT_EQ(check.exit_code, 0) << check.output;
  int lines = 0, cross_force = 0;
  ASSERT_EQ(std::sscanf(check.output.c_str(), "%d %d", &lines, &cross_force), 2) << check.output;
  EXPECT_GT(lines, 100);
  EXPECT_GT(cross_force, 5) << "the generator makes people who cross forces";
  // explain on the two records of an entity of two, which only a link of their own can hold
  // together: the pair's weight clears the link weight, and its link confidence is printed.
  const CommandResult pair = RunCliRaw(
      absl::StrCat("/usr/bin/python3 -c \"import json,sys\n"
                   "for line in open(sys.argv[1]):\n"
                   "  o=json.loads(line)\n"
                   "  if len(o['records']) == 2:\n"
                   "    print(' '.join(r['force_code']+'/'+r['incident_id']+'/'+r['ref'] for r in "
                   "o['records']), o['records'][0]['link_confidence']); break\" ",
                   jsonl));
  ASSERT_EQ(pair.exit_code, 0) << pair.output;
  char a[256] = "", b[256] = "";
  double pair_confidence = -1;
  ASSERT_EQ(std::sscanf(pair.output.c_str(), "%255s %255s %lf", a, b, &pair_confidence), 3)
      << pair.output;
  const CommandResult explain = RunCli(absl::StrCat("explain", hub, " --a ", a, " --b ", b));
  ASSERT_EQ(explain.exit_code, 0) << explain.output;
  EXPECT_THAT(explain.output, HasSubstr("same entity"));
  // The confidence the entity listing gave both records, which only this link holds.
  EXPECT_THAT(explain.output,
              HasSubstr(absl::StrFormat("link confidence %.3f (", pair_confidence)));
  const CommandResult csv = RunCli(absl::StrCat("entities", hub, " --format csv"));
  EXPECT_EQ(csv.output.rfind(
                "entity_id,role,force_code,incident_id,ref,record_kind,link_confidence\n", 0),
            0u);

  // The flags JSONL contract: flag_id, pattern, score, entity_id, forces, records (force_code,
  // incident_id, suspect_ref, victim_ref) and explanation; checked by an independent parser.
  const std::string flags_jsonl = server_.dir().Sub("flags.jsonl");
  ASSERT_EQ(RunCli(absl::StrCat("flags", hub, " --format jsonl > ", flags_jsonl)).exit_code, 0);
  const CommandResult flags_check = RunCliRaw(absl::StrCat(
      "/usr/bin/python3 -c \"import json,sys\n"
      "patterns=set(); last=101\n"
      "for line in open(sys.argv[1]):\n"
      "  o=json.loads(line)\n"
      "  assert isinstance(o['flag_id'], str) and o['flag_id']\n"
      "  assert isinstance(o['score'], int) and 0 <= o['score'] <= 100 and o['score'] <= last\n"
      "  last=o['score']\n"
      "  assert isinstance(o['entity_id'], int)\n"
      "  assert o['forces'] and all(isinstance(f, str) for f in o['forces'])\n"
      "  assert o['records'] and all(set(['force_code','incident_id','suspect_ref','victim_ref'])"
      " <= set(r) for r in o['records'])\n"
      "  assert o['explanation'] and all(isinstance(x, str) for x in o['explanation'])\n"
      "  assert sum(f['points'] for f in o['factors']) == o['score'] or o['score'] in (0, 100)\n"
      "  patterns.add(o['pattern'])\n"
      "print(' '.join(sorted(patterns)))\" ",
      flags_jsonl));
  ASSERT_EQ(flags_check.exit_code, 0) << flags_check.output;
  EXPECT_THAT(flags_check.output, HasSubstr("CROSS_FORCE_REPEAT"));
  EXPECT_THAT(flags_check.output, HasSubstr("VICTIM_PURSUIT"));
  const CommandResult table = RunCli(absl::StrCat("flags", hub, " --limit 5"));
  EXPECT_EQ(table.output.rfind("FLAG ", 0), 0u) << table.output;
  const CommandResult flags_csv =
      RunCli(absl::StrCat("flags", hub, " --format csv --pattern victim_pursuit"));
  EXPECT_EQ(flags_csv.output.rfind("flag_id,pattern,score,state,entity_id,", 0), 0u);
  EXPECT_THAT(flags_csv.output, Not(HasSubstr("CROSS_FORCE_REPEAT")));
  EXPECT_EQ(RunCli(absl::StrCat("flags", hub, " --pattern NOT_A_PATTERN")).exit_code, 2);

  std::vector<std::string> files = summary->incident_files;
  files.insert(files.end(), summary->order_files.begin(), summary->order_files.end());
  const std::set<std::string> raw = RawIdentifiers(files);
  ASSERT_GT(raw.size(), 500u);
  const std::string db = server_.DefaultOptions().engine.data_dir;
  server_.Stop();

  // Every key and value of every table of the store.
  std::string store;
  {
    RocksDbStorageOptions storage_options;
    storage_options.path = db;
    absl::StatusOr<std::unique_ptr<RocksDbStorage>> storage = RocksDbStorage::Open(storage_options);
    ASSERT_THAT(storage, IsOk());
    for (Table table : {Table::kRecords, Table::kMeta, Table::kEntities, Table::kFlags}) {
      ASSERT_THAT((*storage)->Scan(table, "",
                                   [&](absl::string_view key, absl::string_view value) {
                                     absl::StrAppend(&store, key, "\n", value, "\n");
                                     return true;
                                   }),
                  IsOk());
    }
  }
  // Every file under the data directory (tables, logs, manifests, options).
  for (const auto& entry : std::filesystem::recursive_directory_iterator(db)) {
    if (entry.is_regular_file()) absl::StrAppend(&store, ReadAll(entry.path().string()));
  }
  ASSERT_GT(store.size(), 100'000u);
  for (const std::string& value : raw) {
    EXPECT_EQ(store.find(value), std::string::npos) << "raw identifier found in the hub: " << value;
  }
}

TEST_F(CliTest, RejectedRowsGoToTheRejectsFileAndSetTheExitCode) {
  const std::string csv = server_.dir().Sub("wyp.csv");
  std::ofstream(csv)
      << "force_code,incident_id,offence_date,offence_code,behaviours,location_district,"
         "suspect_ref,suspect_given_name,suspect_family_name,suspect_dob,suspect_sex,"
         "suspect_postcode,suspect_phone,suspect_email,suspect_vehicle,suspect_pnc,victim_ref,"
         "victim_given_name,victim_family_name,victim_dob,victim_postcode,victim_phone,victim_"
         "email\n"
      << "WYP,I1,2024-03-01,STALKING,following,LS6,S1,Bob,Smith,01/02/1980,M,LS6 1AB,07700 "
         "900123,,,,"
         "V1,Ann,Jones,,,,\n"
      << "WYP,I2,2024-13-01,STALKING,following,LS6,S1,Bob,Smith,01/02/1980,M,LS6 1AB,,,,,V1,Ann,"
         "Jones,,,,\n";
  CommandResult result = RunCli(Ingest("WYP", csv));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("rows read 2, records sent 1, accepted 1"));
  const std::string rejects = ReadAll(server_.dir().Sub("wyp.rejects.csv"));
  EXPECT_THAT(rejects, HasSubstr("line,record_id,column,reason"));
  EXPECT_THAT(rejects, HasSubstr("3,I2,offence_date,"));
  result = RunCli(
      Ingest("WYP", csv, absl::StrCat("--allow-rejects --rejects ", server_.dir().Sub("r.csv"))));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("unchanged 1")) << "the same file again is a no-op";

  // Split halves: anonymise on one machine, upload from another.
  const std::string out = server_.dir().Sub("wyp.jsonl");
  result = RunCli(absl::StrCat("anonymise --key ", key_, " --force WYP --in ", csv, " --out ", out,
                               " --record-version 4000000000 --allow-rejects"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(ReadAll(out), Not(HasSubstr("Smith")));
  result =
      RunCli(absl::StrCat("upload --server ", server_.address(), " --in ", out, " --insecure"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("replaced 1"));
  result =
      RunCli(absl::StrCat("upload --server ", server_.address(), " --in ", out, " --insecure"));
  EXPECT_THAT(result.output, HasSubstr("unchanged 1"));

  // A force using another key is refused by the hub, and the rejects file says why.
  const std::string other_key = server_.dir().Sub("other.key");
  ASSERT_EQ(RunCli(absl::StrCat("keygen --out ", other_key)).exit_code, 0);
  result = RunCli(absl::StrCat("ingest --server ", server_.address(), " --key ", other_key,
                               " --force WYP --in ", csv, " --insecure --rejects ",
                               server_.dir().Sub("wrong.csv")));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(ReadAll(server_.dir().Sub("wrong.csv")), HasSubstr("different secret key"));
}

// Writes an incident CSV: `suspect` (same name and phone each time) against one victim, in `force`.
void WriteCase(const std::string& path, const std::string& force, const std::string& incident) {
  std::ofstream(path)
      << "force_code,incident_id,offence_date,offence_code,behaviours,location_district,"
         "suspect_ref,suspect_given_name,suspect_family_name,suspect_dob,suspect_sex,"
         "suspect_postcode,suspect_phone,suspect_email,suspect_vehicle,suspect_pnc,victim_ref,"
         "victim_given_name,victim_family_name,victim_dob,victim_postcode,victim_phone,victim_"
         "email\n"
      << force << "," << incident
      << ",2025-03-01,STALKING,following,LS6,S1,Barnaby,Quist,01/02/1980,M,LS6 1AB,07700 900123,,,,"
         "V1,Philippa,Ormerod,1985-07-09,LS6 2CD,,\n";
}

TEST_F(CliTest, WatchPrintsAlertsAsIngestRaisesThemAndDecideRecordsTheAnalystsCall) {
  const std::string hub = absl::StrCat(" --server ", server_.address(), " --insecure");
  const std::string alerts = server_.dir().Sub("alerts.jsonl");
  const std::string watch_log = server_.dir().Sub("watch.log");
  CommandResult watch;
  std::thread watcher([&] {
    // In a subshell, so that RunCliRaw's own redirection does not take stderr from the log.
    watch = RunCliRaw(absl::StrCat("(timeout 60 ", CROSSFORCE_CLI_PATH, " watch", hub,
                                   " --format jsonl --count 2 > ", alerts, " 2> ", watch_log, ")"));
  });
  // Ingest only once the watch is subscribed (it says so on stderr).
  for (int i = 0; i < 500 && ReadAll(watch_log).find("watching") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(ReadAll(watch_log), HasSubstr("watching"));
  WriteCase(server_.dir().Sub("wyp.csv"), "WYP", "WYP/1");
  WriteCase(server_.dir().Sub("nyp.csv"), "NYP", "NYP/1");
  ASSERT_EQ(RunCli(Ingest("WYP", server_.dir().Sub("wyp.csv"))).exit_code, 0);
  ASSERT_EQ(RunCli(Ingest("NYP", server_.dir().Sub("nyp.csv"))).exit_code, 0);
  watcher.join();
  EXPECT_EQ(watch.exit_code, 0) << ReadAll(watch_log);
  const std::string lines = ReadAll(alerts);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
  EXPECT_THAT(lines, HasSubstr("\"pattern\":\"CROSS_FORCE_REPEAT\""));
  EXPECT_THAT(lines, HasSubstr("\"forces\":[\"NYP\",\"WYP\"]"));

  // The analyst records a decision on the first flag.
  const size_t at = lines.find("\"flag_id\":\"") + 11;
  const std::string flag_id = lines.substr(at, lines.find('"', at) - at);
  CommandResult decided = RunCli(absl::StrCat("decide", hub, " --flag ", flag_id,
                                              " --outcome accepted --user a.analyst --reason "
                                              "'same man, two forces'"));
  EXPECT_EQ(decided.exit_code, 0) << decided.output;
  EXPECT_THAT(decided.output,
              HasSubstr("\"decision\":{\"outcome\":\"accepted\",\"user\":\"a.analyst\""));
  EXPECT_EQ(RunCli(absl::StrCat("decide", hub, " --flag ", flag_id, " --outcome maybe --user x"))
                .exit_code,
            2);
  CommandResult profile = RunCli(absl::StrCat("profile", hub, " --entity 1"));
  EXPECT_EQ(profile.exit_code, 0) << profile.output;
  EXPECT_THAT(profile.output, HasSubstr("\"records\""));
}

TEST_F(CliTest, UsageAndConnectionErrorsAreClear) {
  CommandResult result = RunCli("ingest --key x");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("--server is required"));
  result = RunCli("frobnicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("unknown command"));
  result = RunCli("stats --server 127.0.0.1:1 --insecure");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.output, HasSubstr("hub:"));
  result = RunCli(absl::StrCat("stats --server ", server_.address(), " --insecure"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

}  // namespace
}  // namespace crossforce::client
