// The analyst's commands of the `crossforce` CLI: flags (list, ranked), watch (alerts as they
// arrive), decide (record a decision on a flag) and profile (one entity in full).
//
//   crossforce flags --server HOST:PORT [--pattern P] [--min-score N] [--force CODE]
//                    [--format table|jsonl|csv] [--include-cleared] [--limit N]
//   crossforce watch --server HOST:PORT [--min-score N] [--force CODE] [--format text|jsonl]
//                    [--count N]
//   crossforce decide --server HOST:PORT --flag ID --outcome accepted|rejected|needs_information
//                     --user NAME [--reason TEXT]
//   crossforce profile --server HOST:PORT --entity ID
//
// The flags JSONL form is a contract: one object per flag with flag_id, pattern, score, state,
// entity_id, victim_entity_id, forces, alert_forces, records (force_code, incident_id,
// suspect_ref, victim_ref, record_kind, date, offence_codes, link_confidence), factors,
// explanation and decision (null until one is recorded).
#ifndef CROSSFORCE_CLIENT_CLI_FLAG_COMMANDS_H_
#define CROSSFORCE_CLIENT_CLI_FLAG_COMMANDS_H_

#include "client/cli/cli_support.h"

namespace crossforce::client {

int ListFlagsCommand(const Flags& flags);
int WatchCommand(const Flags& flags);
int DecideCommand(const Flags& flags);
int ProfileCommand(const Flags& flags);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_CLI_FLAG_COMMANDS_H_
