// Memory for the linker's packed person records that the kernel may page out: blocks are carved
// from chunks of an unnamed file mapped shared, so a page the linker has not touched lately can
// be written back and dropped from RAM, and is read from disk again when touched. The machine
// has no swap, and heap memory could never leave RAM (BENCHMARKS.md: the records were about
// 430 of the 1,210 bytes of heap a person record held at 10,000,000).
//
// Without a directory, or when the file cannot be made or a chunk's disk space cannot be
// reserved, chunks are anonymous memory instead (RAM, as the heap was). Blocks are never freed
// one by one: a removed record's block stays until the arena is destroyed (a relink builds a new
// linker and arena). Nothing outlives the arena: the file has no name. Thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_MAPPED_ARENA_H_
#define CROSSFORCE_ENGINE_LINKAGE_MAPPED_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crossforce {

class MappedArena {
 public:
  // Chunks in a file made in `directory` (empty: anonymous memory only).
  explicit MappedArena(std::string directory);
  MappedArena(const MappedArena&) = delete;
  MappedArena& operator=(const MappedArena&) = delete;
  ~MappedArena();

  // `words` 8-byte words, 8-byte aligned, uninitialised; valid until the arena is destroyed.
  // Throws std::bad_alloc only when no memory can be had at all, as operator new does.
  uint64_t* Allocate(size_t words);

  // Bytes handed out by Allocate.
  size_t allocated_bytes() const { return allocated_bytes_; }
  // Bytes of chunks mapped from the file, and from anonymous memory.
  size_t file_bytes() const { return file_bytes_; }
  size_t anonymous_bytes() const { return anonymous_bytes_; }

 private:
  struct Chunk {
    void* begin;
    size_t bytes;
  };
  // Maps a chunk of at least `bytes`: from the file when it can, else anonymous.
  void AddChunk(size_t bytes);
  // Opens the unnamed file in directory_, or leaves fd_ at -1.
  void OpenFile();

  const std::string directory_;
  int fd_ = -1;
  bool file_tried_ = false;
  size_t file_size_ = 0;  // bytes of the file reserved for chunks so far
  std::vector<Chunk> chunks_;
  uint64_t* next_ = nullptr;  // free words of the last chunk
  size_t free_words_ = 0;
  size_t allocated_bytes_ = 0;
  size_t file_bytes_ = 0;
  size_t anonymous_bytes_ = 0;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_MAPPED_ARENA_H_
