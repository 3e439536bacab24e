// A Storage wrapper that fails on demand: commits, reads, or both, with an I/O error; and counts
// commits. For tests of what the engine acknowledges when the disk fails.
#ifndef CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_
#define CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_

#include <atomic>
#include <memory>

#include "engine/storage.h"

namespace crossforce::testing {

class FaultyStorage final : public Storage {
 public:
  explicit FaultyStorage(std::unique_ptr<Storage> base) : base_(std::move(base)) {}

  void FailCommits(bool fail) { fail_commits_ = fail; }
  void FailReads(bool fail) { fail_reads_ = fail; }
  int commits() const { return commits_; }
  int synced_commits() const { return synced_commits_; }

  absl::StatusOr<std::optional<std::string>> Get(Table table, absl::string_view key) override {
    if (fail_reads_) return absl::UnavailableError("injected read fault");
    return base_->Get(table, key);
  }
  absl::Status Commit(const std::vector<StorageWrite>& writes, bool sync) override {
    if (fail_commits_) return absl::UnavailableError("injected commit fault");
    ++commits_;
    if (sync) ++synced_commits_;
    return base_->Commit(writes, sync);
  }
  absl::Status Scan(Table table, absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) override {
    if (fail_reads_) return absl::UnavailableError("injected read fault");
    return base_->Scan(table, prefix, visit);
  }
  uint64_t ApproximateDiskBytes() override { return base_->ApproximateDiskBytes(); }

 private:
  std::unique_ptr<Storage> base_;
  std::atomic<bool> fail_commits_{false};
  std::atomic<bool> fail_reads_{false};
  std::atomic<int> commits_{0};
  std::atomic<int> synced_commits_{0};
};

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_
