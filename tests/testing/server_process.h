// Runs crossforce-server as a child process on 127.0.0.1 with an ephemeral port, reading the bound
// port from the line the server prints on start. For tests that must kill the server for real.
#ifndef CROSSFORCE_TESTS_TESTING_SERVER_PROCESS_H_
#define CROSSFORCE_TESTS_TESTING_SERVER_PROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace crossforce::testing {

class ServerProcess {
 public:
  // Starts `binary` with `args` plus --listen=127.0.0.1:0 and waits for its "listening on" line.
  static absl::StatusOr<ServerProcess> Start(const std::string& binary,
                                             const std::vector<std::string>& args);

  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&& other) noexcept;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();  // SIGKILLs a child still running

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Sends `signal` and reaps the child; returns its wait status.
  int Stop(int signal);

 private:
  ServerProcess(pid_t pid, int port, FILE* out) : pid_(pid), port_(port), out_(out) {}

  pid_t pid_ = -1;
  int port_ = 0;
  FILE* out_ = nullptr;  // the child's stdout, kept open so its writes never raise SIGPIPE
};

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_SERVER_PROCESS_H_
