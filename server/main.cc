// crossforce-server: the hub. Parses flags into ServerOptions, starts the server, and shuts it down
// cleanly (draining in-flight streams) on SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/escaping.h"
#include "server/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7443", "HOST:PORT to serve on (port 0: any free port)");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (required; created when missing)");
ABSL_FLAG(bool, insecure, false, "serve plaintext gRPC (loopback, demos and tests only)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present certificates");
ABSL_FLAG(std::string, schema_id, "crossforce-person-v1", "the federation's encoding schema");
ABSL_FLAG(std::string, key_fingerprint, "",
          "the federation key's fingerprint, 32 hex digits (crossforce keygen prints it); empty: "
          "pinned by the first accepted record");
ABSL_FLAG(size_t, max_records_per_message, 10000, "records in one stream message or batch");
ABSL_FLAG(size_t, max_records_per_stream, 50000, "records in one ingest stream");
ABSL_FLAG(int, max_message_bytes, 16 << 20, "largest request message in bytes");
ABSL_FLAG(int, max_threads, 64, "request threads (bounds concurrent calls)");
ABSL_FLAG(int, shutdown_grace_seconds, 30, "how long in-flight calls may run on after SIGTERM");
ABSL_FLAG(bool, compression, true, "compress the store's blocks");

// Pattern rules (README "Patterns and flags"); the defaults are the documented ones.
ABSL_FLAG(int, lookback_days, 3653, "rules count stalking-type incidents of this many days");
ABSL_FLAG(int, cross_force_min_forces, 2, "CROSS_FORCE_REPEAT: forces recording the suspect");
ABSL_FLAG(int, serial_min_victims, 3, "SERIAL_PERPETRATOR: distinct victims");
ABSL_FLAG(int, pursuit_min_forces, 2, "VICTIM_PURSUIT: forces recording the pair");
ABSL_FLAG(int, hidden_window_days, 365, "HIDDEN_COURSE_OF_CONDUCT: window in days");
ABSL_FLAG(int, hidden_min_incidents, 2, "HIDDEN_COURSE_OF_CONDUCT: incidents in the window");
ABSL_FLAG(int, episode_gap_days, 90, "ESCALATION: a longer gap starts a new episode");
ABSL_FLAG(int, escalation_recent_days, 30, "ESCALATION: the recent period");
ABSL_FLAG(int, escalation_previous_days, 90, "ESCALATION: the period it is compared with");
ABSL_FLAG(double, escalation_rate_ratio, 2.0, "ESCALATION: recent rate over previous rate");
ABSL_FLAG(int, shared_identifier_min_forces, 2, "SHARED_IDENTIFIER: forces holding the token");
ABSL_FLAG(int, escalated_score_step, 10, "a flag whose score rises this much is escalated");

namespace {

// Fills options from flags; an error message when a flag is malformed.
std::string OptionsFromFlags(crossforce::ServerOptions* options) {
  options->listen_address = absl::GetFlag(FLAGS_listen);
  options->engine.data_dir = absl::GetFlag(FLAGS_data_dir);
  options->engine.schema_id = absl::GetFlag(FLAGS_schema_id);
  options->engine.compression = absl::GetFlag(FLAGS_compression);
  const std::string hex = absl::GetFlag(FLAGS_key_fingerprint);
  if (!hex.empty()) {
    if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return "--key_fingerprint must be 32 hex digits";
    }
    options->engine.key_fingerprint = absl::HexStringToBytes(hex);
  }
  options->insecure = absl::GetFlag(FLAGS_insecure);
  options->tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options->tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options->tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options->limits.max_records_per_message = absl::GetFlag(FLAGS_max_records_per_message);
  options->limits.max_records_per_stream = absl::GetFlag(FLAGS_max_records_per_stream);
  options->max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options->max_threads = absl::GetFlag(FLAGS_max_threads);
  crossforce::PatternOptions& p = options->engine.patterns;
  p.lookback_days = absl::GetFlag(FLAGS_lookback_days);
  p.cross_force_min_forces = absl::GetFlag(FLAGS_cross_force_min_forces);
  p.serial_min_victims = absl::GetFlag(FLAGS_serial_min_victims);
  p.pursuit_min_forces = absl::GetFlag(FLAGS_pursuit_min_forces);
  p.hidden_window_days = absl::GetFlag(FLAGS_hidden_window_days);
  p.hidden_min_incidents = absl::GetFlag(FLAGS_hidden_min_incidents);
  p.episode_gap_days = absl::GetFlag(FLAGS_episode_gap_days);
  p.escalation_recent_days = absl::GetFlag(FLAGS_escalation_recent_days);
  p.escalation_previous_days = absl::GetFlag(FLAGS_escalation_previous_days);
  p.escalation_rate_ratio = absl::GetFlag(FLAGS_escalation_rate_ratio);
  p.shared_identifier_min_forces = absl::GetFlag(FLAGS_shared_identifier_min_forces);
  p.escalated_score_step = absl::GetFlag(FLAGS_escalated_score_step);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "crossforce hub server.\n  crossforce-server --data_dir=DIR [--listen=HOST:PORT] "
      "[--insecure | --tls_cert=F --tls_key=F [--tls_client_ca=F]]");
  absl::ParseCommandLine(argc, argv);

  // Block the shutdown signals in every thread (gRPC's included); one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  crossforce::ServerOptions options;
  if (const std::string error = OptionsFromFlags(&options); !error.empty()) {
    std::cerr << "crossforce-server: " << error << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<crossforce::Server>> server = crossforce::Server::Start(options);
  if (!server.ok()) {
    std::cerr << "crossforce-server: " << server.status().message() << "\n";
    return 1;
  }
  const std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  std::printf("crossforce-server listening on %s:%d data_dir=%s\n", host.c_str(), (*server)->port(),
              options.engine.data_dir.c_str());
  std::fflush(stdout);

  std::thread signal_waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::fprintf(stderr, "crossforce-server: signal %d, draining in-flight calls\n", signal);
    (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  });
  (*server)->Wait();
  signal_waiter.join();
  std::fprintf(stderr, "crossforce-server: stopped\n");
  return 0;
}
