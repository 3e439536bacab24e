#include "engine/linkage/mapped_arena.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <utility>

namespace crossforce {
namespace {

// Chunks start small, so that the many small linkers of tests and of the accuracy data sets
// reserve little, and double up to kMaxChunkBytes: at 10,000,000 records the file holds about
// 4.5 GB in a few dozen mappings.
constexpr size_t kFirstChunkBytes = size_t{1} << 20;
constexpr size_t kMaxChunkBytes = size_t{256} << 20;

size_t RoundUpToPage(size_t bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

MappedArena::MappedArena(std::string directory) : directory_(std::move(directory)) {}

MappedArena::~MappedArena() {
  for (const Chunk& chunk : chunks_) munmap(chunk.begin, chunk.bytes);
  if (fd_ >= 0) close(fd_);
}

uint64_t* MappedArena::Allocate(size_t words) {
  if (words > free_words_) {
    const size_t last = chunks_.empty() ? 0 : chunks_.back().bytes;
    const size_t grown = std::clamp(last * 2, kFirstChunkBytes, kMaxChunkBytes);
    AddChunk(std::max(grown, RoundUpToPage(words * sizeof(uint64_t))));
  }
  uint64_t* block = next_;
  next_ += words;
  free_words_ -= words;
  allocated_bytes_ += words * sizeof(uint64_t);
  return block;
}

void MappedArena::OpenFile() {
  file_tried_ = true;
  if (directory_.empty()) return;
  // An unnamed file where the kernel supports one; else a named one, unlinked at once. Either
  // way nothing is left behind by a crash.
  fd_ = open(directory_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return;
  std::string path = directory_ + "/linker-arena-XXXXXX";
  fd_ = mkostemp(path.data(), O_CLOEXEC);
  if (fd_ >= 0) unlink(path.c_str());
}

void MappedArena::AddChunk(size_t bytes) {
  if (!file_tried_) OpenFile();
  void* begin = MAP_FAILED;
  // The disk space is reserved before mapping: a page of a sparse file written when the disk is
  // full would kill the process with SIGBUS.
  if (fd_ >= 0 &&
      posix_fallocate(fd_, static_cast<off_t>(file_size_), static_cast<off_t>(bytes)) == 0) {
    begin = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                 static_cast<off_t>(file_size_));
    file_size_ += bytes;  // reserved even if the mapping failed: offsets are never reused
    if (begin != MAP_FAILED) {
      // Records are read one at a time at random: reading ahead of a fault would evict pages
      // still in use for neighbours no one asked for.
      madvise(begin, bytes, MADV_RANDOM);
      file_bytes_ += bytes;
    }
  }
  if (begin == MAP_FAILED) {
    begin = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (begin == MAP_FAILED) throw std::bad_alloc();
    // Huge pages where the kernel gives them on request, as the hub's heap asks for them
    // (server/malloc_options.cc): records are read at random over gigabytes.
    madvise(begin, bytes, MADV_HUGEPAGE);
    anonymous_bytes_ += bytes;
  }
  chunks_.push_back({begin, bytes});
  next_ = static_cast<uint64_t*>(begin);
  free_words_ = bytes / sizeof(uint64_t);
}

}  // namespace crossforce
