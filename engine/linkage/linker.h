// Links person records that are the same person into entities, incrementally as records arrive,
// with the same partition a full relink from scratch would give.
//
// Blocking: candidate pairs are records that share a discriminating keyed token (PNC id, phone,
// email or its user name, vehicle, names sorted) or a pair of tokens too common alone (a name
// with a postcode district or date of birth, ...: kCompositeBlocks); that share a block of fixed
// vocabulary (a name's Soundex with a birth year or place of birth, ...) or a compared block the
// last relink found crowded (crowded_block_members), unless it found the block oversized
// (dropped_block_members); or meet in a band of a multi-probe bit-sampling LSH
// index over the record-level Bloom filter (their signatures there at most one bit apart), in
// buckets the last relink did not find oversized
// (dropped_band_members), and are similar enough there (lsh_min_dice) without their birth
// years differing (birth_year_screen, in large populations); or that
// collide in a band of a second one over the address filter and have
// similar addresses (address_min_dice). Candidates are scored with the
// MatchModel; pairs at or above its link weight become links. A Build first estimates the model's m
// from the sure matches among a sample of its candidate pairs (MEstimation), so that, for instance,
// how often one person's records disagree on the address is learnt from the data, not assumed.
//
// Clustering resists chaining: within each connected component of the link graph, links are taken
// strongest first (ties broken by the records' keys) and two clusters are merged only if the mean
// weight of all pairs across them reaches the model's merge_mean_weight (a record must agree with
// the entity as a whole, not only with the record it links to) and no pair across them scores
// below its cannot-link weight (a clear contradiction). A component's clustering depends only
// on its links and the model, so re-clustering just the components an update touches gives the
// same partition as clustering everything, whatever the order of arrival. A record that only
// arrives does not even re-cluster its component: the links record which of them the last
// clustering merged through, and replaying that run from the new record's links redoes only the
// merges it changes (ReclusterAdded), with the partition a whole re-clustering would give.
//
// Entity ids are stable: when clusters merge, the oldest id survives and the others redirect to it.
// Thread-compatible: the engine serialises updates and takes snapshots under its own lock.
#ifndef CROSSFORCE_ENGINE_LINKAGE_LINKER_H_
#define CROSSFORCE_ENGINE_LINKAGE_LINKER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "engine/helper_thread.h"
#include "engine/linkage/dice_kernel.h"
#include "engine/linkage/entity_members.h"
#include "engine/linkage/link_ends.h"
#include "engine/linkage/lsh_index.h"
#include "engine/linkage/mapped_arena.h"
#include "engine/linkage/match_model.h"
#include "engine/linkage/packed_person.h"
#include "engine/linkage/person_record.h"
#include "engine/linkage/screen_facts.h"
#include "engine/records.h"

namespace crossforce {

using EntityId = uint64_t;

// How Build estimates the model's m from the pairs it links: sure matches (ConfidentPairCounter)
// among the candidate pairs of a sample of the records it adds.
struct MEstimation {
  bool enabled = true;  // off: the model's m is used as given
  // Records whose candidate pairs are counted (their pairs with records after them in index
  // order, which is arrival order, so the sample is not biased towards matches or not): every
  // one when Build adds fewer. m needs thousands of sure matches, not millions.
  size_t sample_records = 25000;
  double prior_pairs = 100;  // weight of the model's m, in sure matches
  // Weight of the other comparisons that makes a pair a sure match: twice the default link
  // weight. At 15 bits fake_1000 gained recall and historical_50k lost precision; at 25 the
  // reverse (BENCHMARKS.md).
  double confident_weight = 20;
  int rounds = 2;  // each scores the pairs under the last round's m; two settle it
};

struct LinkerOptions {
  MatchModel model = MatchModel::Default();
  MEstimation m_estimation;
  // The LSH index over the record filter: lsh_bands bands of lsh_bits_per_band sampled bits
  // (at most LshIndex::kMaxSignatureBits), distinct within a band. Two records meet in a band
  // when their signatures there differ in at most lsh_probe_radius bits (0 or 1; others are
  // clamped to these): a record looks up its own bucket and, with radius 1, the buckets one
  // bit away (multi-probe LSH).
  // Agreeing on a share p of the sampled bits, two records meet in a band with probability
  // p^k + k p^(k-1) (1 - p) at radius 1 (k bits): 16 bands of 26 bits find pairs as 48 exact
  // bands of 22 did (0.990 against 0.993 at p = 0.9, 0.744 against 0.744 at 0.85, 0.307
  // against 0.299 at 0.8; 5.0 against 6.3 in 10^4 at 0.6) with a third of the bands' memory,
  // each member costing its index (3 bytes at ten million records) and a byte of suffix in
  // every band. A record looks up a table entry for its signature and one for each bit of the
  // signature's prefix (19 a band at a million records; LshIndex::ForEachMemberWithin)
  // instead of one, and a relink walks each band once per bit for buckets one bit apart. At a
  // million benchmark records the record bands fell from 253 to 97 bytes a person record (73
  // once indices were packed), the pairwise recall from 0.994189 to 0.994093 (precision rose
  // from 0.92444 to 0.92541), the incremental link's p50 rose from 50-55 to 66-100 us and the
  // relink from 15-16 to 16.5 s. See BENCHMARKS.md.
  int lsh_bands = 16;
  int lsh_bits_per_band = 26;
  int lsh_probe_radius = 1;
  uint64_t lsh_seed = 0x5eed;  // which bits are sampled (fixed: the index must be reproducible)
  // A pair found only through an LSH band (no shared token block) is compared only if the Dice
  // similarity of the two record filters reaches this. Bands of 22-26 sampled bits also collide
  // for records that share little (dense filters agree on many bits by chance). On the accuracy
  // data sets 0.5 drops more than half of the band-only pairs and 5 of their 13,600 links (none
  // below 0.45 scored a link). See BENCHMARKS.md.
  double lsh_min_dice = 0.5;
  // A common given name fills much of the record filter with bits every namesake shares, so two
  // records that both carry one meet the screen at a higher similarity: common_name_min_dice when
  // both records' canonical given names each belong to at least common_name_frequency of the
  // population (the fitted model's term frequencies; no fit, no common names). At a million
  // benchmark records the namesake pairs between Dice 0.5 and 0.6 held no true match and were
  // over a third of those scored; the 1M relink took 29.3 s instead of 33.5-38.6 s.
  // historical_50k, whose sparse true matches sit between 0.5 and 0.6, lost 0.0006 of F1 (0.0022
  // with 0.001 as the frequency). See BENCHMARKS.md.
  double common_name_frequency = 0.01;
  double common_name_min_dice = 0.6;
  // Both screens rise by lsh_min_dice_per_doubling for each doubling of the population beyond
  // the one the model was calibrated for (MatchModel::population_doublings), up to
  // lsh_max_min_dice. Every band collision and every member of a screened block grows with the
  // population while a record's true matches do not, so at a fixed screen the pairs compared
  // per record grew with the index and a relink's work with its square. Chance pairs about
  // halve for each 0.02 of Dice between 0.6 and 0.7. At a million benchmark records (0.63
  // instead of 0.5) the relink took 18.7 s instead of 27-32 s, its LSH pairs 5.5 million
  // instead of 29.4 million, with the same pairwise recall; of its 686,634 links, 64 joined
  // band pairs with record filters below Dice 0.64 and 258 below 0.66, the most the screen rises
  // to. The accuracy data sets, of at most 50,578 records, keep 0.5. See BENCHMARKS.md.
  double lsh_min_dice_per_doubling = 0.03;
  double lsh_max_min_dice = 0.66;
  // Past the population at which both screens reach lsh_max_min_dice, a pair found only through
  // an LSH band or a screened block is also not compared when each record carries one birth year
  // and the two differ (ScreenFacts::BirthYearsDiffer). There the record filter no longer
  // tells namesakes apart: a common name fills most of its bits, and the quarter the linker holds
  // estimates Dice within 0.08 for 99 pairs in 100, so thousands of namesakes of a common name
  // pass, and each read its record from the paged file to be scored. At 10,000,000 benchmark
  // records a link in the slowest 2% scored 1,305 candidates (558 with this rule), half its time,
  // and linked 0.7; at 3,000,000, 55% of the pairs scored had different birth years, and none of
  // them linked. What it costs: a true pair whose birth year was mistyped, found only through
  // the record filter, that would still reach the link weight of a large population (23 bits at
  // ten million, where two agreeing names and a close date give about 18). Applied at every
  // population, FEBRL4 lost one true pair of 5,000 and historical_50k 0.0002 of F1; below the
  // ceiling it does not apply, so the accuracy data sets link as without it. See BENCHMARKS.md.
  bool birth_year_screen = true;
  // While the screen rises it curbs the pairs compared, but not the band members gathered and
  // screened: chance collisions in a band grow with the population while a record's true
  // matches do not. Past the doubling at which the screen reaches its ceiling (5.3 with the
  // defaults, about 2,000,000 records) nothing curbs them, so each further doubling adds
  // lsh_bits_per_doubling sampled bits to every band of the record LSH index (up to
  // LshIndex::kMaxSignatureBits) and address_hashes_per_doubling minima to every address band
  // (up to 16), rounded down. At 10,000,000 benchmark records (2.3 doublings past: then 48 exact
  // bands widened from 22 to 25 bits, now 16 probed bands from 26 to 29; 10 minima) the
  // incremental link's p50 / p99 went from 725 us / 3.8 ms to 233 us / 1.7 ms and
  // the relink from 423 s to 301 s. A record's true matches lose band collisions too: pairs
  // sharing no token block, with record filters near Dice 0.8, are found less often, and the
  // pairwise recall fell from 0.9856 to 0.9847 (precision rose from 0.722 to 0.735). Fixed for
  // the linker's life, as the screen is.
  double lsh_bits_per_doubling = 1.5;
  double address_hashes_per_doubling = 1;
  // A block whose pairs are always compared (a name with a family name's Soundex, a name with a
  // district, ...) that holds at least this many records when a Build fills an empty linker is
  // crowded: its pairs are screened from then on, as a screened block's are, until the next
  // relink (0: never). Such a block's value is common (John Smith), so agreeing on it says little,
  // and its pairs grow with the square of the population: at 3,000,000 benchmark records the
  // always-compared pairs were 49 million, 8.7 times the 1M's. (A phone shared by that many
  // records, a switchboard's, is no more an identifier than a common name.) Set from the blocks'
  // sizes at the relink, not as records arrive, so that linking one by one afterwards meets the
  // same blocks the relink did. See BENCHMARKS.md.
  size_t crowded_block_members = 128;
  // A block whose pairs are screened (a screened block, or a crowded one) that holds at least
  // this many records when a Build fills an empty linker is dropped until the next relink: its
  // members are not candidates of each other through it (0: never). Such a block's value is
  // so common that every record in it gathered and screened thousands of members at 10,000,000
  // records (a common given name's Soundex with a birth year, about 4,500), while its true
  // pairs mostly share another block or a band. Set at the relink, as the crowded blocks are.
  // See BENCHMARKS.md.
  size_t dropped_block_members = 2048;
  // A bucket of a record LSH band that holds at least this many records when a Build fills an
  // empty linker is dropped until the next relink, as an oversized block is: its members are not
  // candidates of each other through it, and records linked later are not filed in it (0:
  // never). Such a bucket gathers records whose filters agree on the band's sampled bits by
  // chance (sparse filters, which agree on their unset bits), and every record in one gathered
  // a thousand members or more to screen. At 10,000,000 benchmark records 222 buckets held 1,024
  // or more; dropping them took the incremental link's p99 to 0.68 ms (0.73-1.19 ms in five
  // runs without) and the pairwise recall from 0.984674 to 0.984673. See BENCHMARKS.md.
  size_t dropped_band_members = 1024;
  // A second LSH index, over the address filter alone, for one person recorded under other names
  // at one address (an alias, or names mistyped or swapped): records at a similar address meet
  // whatever their names and postcodes say. Its bands are MinHash signatures of the filter's set
  // bits (address_hashes_per_band minima each), so two addresses share a band with probability
  // J^hashes, J the Jaccard similarity of their bits (Dice D: J = D / (2 - D)). With 16 bands of
  // 8 two addresses meet at Dice 0.93 (a typo) with probability 0.998 and at 0.8 with 0.47; two
  // sharing a town and "ROAD" (J about 0.4) 1%; two sharing only "ROAD" (J about 0.14) 2 in 10^6.
  // Four minima a band let the last kind meet often enough that a million records' relink
  // went quadratic (BENCHMARKS.md). A pair found only there is compared if the Dice similarity
  // of the two address filters reaches address_min_dice, which a neighbour's address (another
  // house number in the street) also reaches: they are compared, and the other fields tell them
  // apart. On FEBRL4 this finds 8 of the 11 true pairs no other block found (5 then score a
  // link).
  int address_bands = 16;           // at most 512 / address_hashes_per_band
  int address_hashes_per_band = 8;  // at most 16
  // A band's signature is a hash of its minima, cut to address_signature_bits and one more for
  // each doubling of the model's population (MatchModel::population_doublings), at most 32: a
  // bucket then holds a member whose minima differ from the record's with probability under
  // 1 in 20 (an address check that fails), and a packed band holds the rest of each member's
  // signature past its table in a byte (LshIndex::PackBand). Whole 32-bit hashes cost 9 bytes
  // a person record more at a million, in two-byte suffixes.
  int address_signature_bits = 21;
  uint64_t address_seed = 0xadd5;
  double address_min_dice = 0.8;
  // An address band's bucket that holds at least this many records when a Build fills an empty
  // linker is dropped until the next relink, as an oversized record band's bucket is (0: never).
  // An address thousands of records give (a hostel, a police station written for "no fixed
  // abode") fills the same bucket in every band, and its pairs all pass the address check: a
  // relink would compare every pair of them, and each link at it would compare with all. MinHash
  // also gives such buckets to records whose least-ranked bits all come from what thousands of
  // addresses share (a town's name and "STREET"): at 3,000,000 benchmark records the slowest
  // links met 1,400-4,500 members in one, read each member's address and found none similar
  // (21 buckets dropped; entities, precision and recall unchanged; the p99 within noise). A true
  // pair at an ordinary address shares most of the 16 bands, so it loses little.
  size_t dropped_address_band_members = 1024;
  // A person linked one by one (Update) whose blocks hold at least this many members, repeats
  // aside, shares screening and scoring them with a helper thread (HelperThread), started at
  // the first such link and kept for the linker's life (SIZE_MAX: never). These are the
  // slowest links, of a common name: at 10,000,000 benchmark records a link between the 98th
  // and 99.5th percentiles met about 3,600 members, screened 3,200 distinct ones and scored 800,
  // which took 70% of its time; the links between the 90th and 98th met 2,100 distinct members
  // on average, those of the fastest half 790. The links found do not depend on it. See
  // BENCHMARKS.md.
  size_t helper_min_members = 2048;
  // A shared link's members are handed out in runs of this many, each screened and scored by
  // whichever thread takes it: small enough that the helper, once awake, takes a fair share and
  // that the caller's wait for the helper's last run is short; large enough that the prefetches
  // ahead within a run mostly land in it.
  size_t helper_run_members = 64;
  bool index_only = false;  // only build the blocking index (for fitting and blocking stats)
  // Off: an update that only adds records re-clusters the whole components they join, as one
  // that removes records does, instead of replaying the last clustering (ReclusterAdded). The
  // partition and ids are the same either way; for tests that prove it.
  bool replay_clustering = true;
  int build_threads = 0;  // threads that score a whole population (Build); 0: one per core
  // Where the packed person records are paged to: a directory for an unnamed file the kernel
  // can write them back to and drop from RAM when memory is short (MappedArena). Empty: they
  // stay in anonymous memory.
  std::string record_file_directory;
};

struct Link {
  PersonKey a;
  PersonKey b;
  double weight = 0;
  // The measured chance that records linked at this weight are one person
  // (MatchModel::LinkConfidence).
  double confidence = 0;
};

struct Entity {
  EntityId id = 0;
  std::vector<PersonKey> members;  // in key order
  // Per member, the chance it belongs here (Linker::LinkConfidence). Filled by EntityDetail;
  // empty from Entities(), where the list of every entity would cost a walk of every link.
  std::vector<double> link_confidence;
};

// Bytes a Linker holds, by what holds them, reserved capacity included (not exact to the
// allocator's rounding): for sizing a hub, and for finding what to shrink.
struct LinkerMemory {
  size_t record_bands = 0;       // the LSH index over the record filter
  size_t address_bands = 0;      // the LSH index over the address filter
  size_t token_blocks = 0;       // members of each token block
  size_t record_filters = 0;     // the quarters of the record filters the screen reads
  size_t person_slots = 0;       // per-person arrays: record handles, entity, flags, chains
  size_t key_maps = 0;           // record id -> its first person's slot
  size_t links = 0;              // the link graph's adjacency
  size_t entities = 0;           // entity -> members, and redirects
  size_t records_anonymous = 0;  // packed person records in anonymous memory
  size_t records_in_file = 0;    // packed person records in the file the kernel pages
  // All but records_in_file: what cannot leave RAM on a machine without swap.
  size_t anonymous() const {
    return record_bands + address_bands + token_blocks + record_filters + person_slots + key_maps +
           links + entities + records_anonymous;
  }
};

class Linker {
 public:
  explicit Linker(LinkerOptions options);
  Linker(const Linker&) = delete;
  Linker& operator=(const Linker&) = delete;

  // Replaces the persons of record `id` with `persons` (none: the record was deleted) and
  // re-clusters what that touches; nothing, when they are the persons it holds already.
  void Update(const RecordId& id, std::vector<PersonRecord> persons);

  // Links a whole population at once, as a full relink does: indexes every record, scores the
  // candidate pairs on the options' build_threads and clusters each component once. Into an
  // empty linker with m_estimation enabled, the model's m is first estimated from the candidate
  // pairs (model() then returns the estimate, which later updates use too). The
  // partition is the one Update would reach record by record, in any order: the candidate pairs
  // are the same (two records sharing a block), and a component's clustering depends only on its
  // links. Records already held, or named twice, go through Update instead.
  struct RecordPersons {
    RecordId id;
    std::vector<PersonRecord> persons;
  };
  void Build(std::vector<RecordPersons> records);

  // Every entity, ordered by id.
  std::vector<Entity> Entities() const;
  // The entity a person record belongs to.
  std::optional<EntityId> EntityOf(const PersonKey& key) const;
  // The current id of an entity id that may have been absorbed by a merge.
  EntityId Resolve(EntityId id) const;
  // Members and the links that hold the entity together. NotFound for an unknown id.
  absl::StatusOr<std::pair<Entity, std::vector<Link>>> EntityDetail(EntityId id) const;
  // The held person key matching `key`; a key whose role is 0 (unset) matches any role.
  // NotFound when no party of that record has that reference.
  absl::StatusOr<PersonKey> Find(const PersonKey& key) const;
  // The comparison of any two held person records. NotFound when either is unknown.
  absl::StatusOr<PairScore> Explain(const PersonKey& a, const PersonKey& b) const;

  // The probability that `key` belongs to its entity, from the strongest link holding it there
  // (MatchModel::LinkConfidence): 1 for an entity of one record; 0 for an unknown key.
  double LinkConfidence(const PersonKey& key) const;

  // Renames this linker's entities to the ids `previous` gave the same people: each entity takes
  // the oldest previous id among its members not taken by another; ids no entity takes redirect.
  // For a relink from scratch, so that ids stay stable across it.
  void AdoptEntityIds(const Linker& previous);
  // As above, from a saved assignment: person -> entity, absorbed id -> surviving id, and the
  // next id to hand out.
  struct SavedAssignment {
    std::map<PersonKey, EntityId> entity_of;
    std::map<EntityId, EntityId> redirects;
    EntityId next_entity = 1;
  };
  void AdoptEntityIds(const SavedAssignment& previous);
  // The whole current assignment, in the saved form.
  SavedAssignment Assignment() const;

  // Changes of assignment since the last call, for saving: person -> entity (0: removed), new
  // redirects, and the next id. Recorded only while tracking is on (off at construction, so a
  // relink from scratch does not record every person).
  struct AssignmentChanges {
    std::map<PersonKey, EntityId> entity_of;
    std::vector<std::pair<EntityId, EntityId>> redirects;
    EntityId next_entity = 1;
  };
  void TrackChanges(bool on) { track_changes_ = on; }
  AssignmentChanges TakeChanges();

  // Calls `visit` once for every candidate pair the blocking produces among the held records.
  void ForEachCandidatePair(
      absl::FunctionRef<void(const PersonKey&, const PersonKey&)> visit) const;

  // The bands in use: sampled bits per record LSH band and minima per address band, as the
  // options and the model's population make them (LinkerOptions::lsh_bits_per_doubling).
  int lsh_bits_per_band() const { return lsh_.signature_bits(); }
  int address_hashes_per_band() const {
    return address_lsh_.bands() == 0
               ? 0
               : static_cast<int>(address_ranks_.size() / kRankedPositions / address_lsh_.bands());
  }

  size_t person_count() const { return persons_.size() - free_.size(); }
  size_t entity_count() const { return members_.size(); }
  // Record LSH buckets the last relink dropped (LinkerOptions::dropped_band_members).
  size_t dropped_band_buckets() const { return lsh_.dropped_buckets(); }
  size_t dropped_address_band_buckets() const { return address_lsh_.dropped_buckets(); }
  // Bytes of packed person records in the file under record_file_directory, and in anonymous
  // memory (none of the file could be had, or no directory).
  size_t record_file_bytes() const { return arena_.file_bytes(); }
  size_t record_anonymous_bytes() const { return arena_.anonymous_bytes(); }
  size_t link_count() const;
  // Links the helper thread joined in (LinkerOptions::helper_min_members).
  size_t helper_joins() const { return helper_ == nullptr ? 0 : helper_->joined(); }
  LinkerMemory Memory() const;
  const MatchModel& model() const { return options_.model; }

 private:
  using Index = uint32_t;

  // Sizes the per-person arrays of an empty linker for `records` and a quarter more, so that a
  // relink does not grow them step by step and the records linked after it do not move them.
  void Reserve(const std::vector<RecordPersons>& records);
  void Remove(Index i);
  // A person in the form the linker holds it, made from a PersonRecord by Prepare.
  struct PreparedPerson {
    PackedPerson packed;  // without a 1024-bit record filter (Insert copies it from the source)
    bool common_given_name = false;  // see LinkerOptions::common_name_frequency
  };
  // `person` of record `id` prepared: its key completed from the id, its tokens sorted, packed.
  // Reads only the options and the model, so a Build prepares its records on the workers.
  PreparedPerson Prepare(const RecordId& id, PersonRecord& person) const;
  // Whether the record whose first person is `first` holds exactly `prepared` (made from
  // `sources`), in order: its persons, keys and record filters byte for byte (of a 1024-bit
  // record filter, the quarter the linker holds).
  bool HeldAsIs(Index first, const std::vector<PreparedPerson>& prepared,
                const std::vector<PersonRecord>& sources) const;
  // Takes a slot for a prepared person, and its 1024-bit record filter's first quarter from
  // `source`, the record it was prepared from; kNoIndex when one of `record`, the persons of its
  // record taken so far, has its key (a person named twice).
  Index Insert(PreparedPerson prepared, const PersonRecord& source,
               const std::vector<Index>& record);
  // The slot of the live person with this key, found through its record; kNoIndex if none.
  Index IndexOf(const PersonKeyView& key) const;
  // LinkConfidence of the person at index i.
  double LinkConfidenceOf(Index i) const;
  // Files the persons just inserted for one record (none: nothing to file) in by_record_.
  void FileRecord(const std::vector<Index>& persons);
  // A person's blocks: hashed token block keys and its signature in each LSH band. Computed once
  // per add or removal and handed to what needs them.
  struct BlockKeys {
    std::vector<uint64_t> tokens;
    std::vector<uint64_t> bands;
    std::vector<uint64_t> address_bands;
  };
  BlockKeys KeysOf(Index i) const;
  // Lays the token blocks of `persons` (sorted indices) in bulk, into an empty linker (a fresh
  // Build), on `workers` threads, notes the crowded and the dropped ones
  // (LinkerOptions::crowded_block_members, dropped_block_members), and returns the pairs of
  // screened and crowded blocks, dropped ones aside, whose record filters are similar
  // (SimilarRecordFilters), as (lower << 32) | higher, sorted. A screened block's
  // pairs grow with the square of its members, and screening them block by block reads each
  // member's filter once, where screening each record's block members missed the cache at every
  // pair.
  std::vector<uint64_t> PackTokenBlocksAndFindScreenedPairs(const std::vector<Index>& persons,
                                                            size_t workers);
  // Appends to `pairs` the pairs of one screened or crowded block (`size` entries of a key, in
  // index order) with similar record filters; `words` is scratch for the members' filters.
  void ScreenBlock(const LshIndex::Entry* members, size_t size, std::vector<uint64_t>& words,
                   std::vector<uint64_t>& pairs) const;
  // Puts person i in the token blocks and LSH buckets.
  void IndexBlocks(Index i, const BlockKeys& keys);
  // Scores person i against `candidates` and calls `link` with each that reaches the link weight.
  void ScoreCandidates(Index i, const std::vector<Index>& candidates,
                       absl::FunctionRef<void(Index, double)> link) const;
  // Scores person i against its candidates, keeps the links, then indexes it.
  void Add(Index i);
  // Person i's candidates that reach the link weight, with their weights, in index order;
  // screened and scored with the helper thread when they are many (helper_min_members).
  std::vector<std::pair<Index, double>> LinksOf(Index i, const BlockKeys& keys);
  // The records sharing a block with i: a compared token block; a screened token block or an LSH
  // band, with similar record filters; or an address band, with similar addresses. Sorted.
  std::vector<Index> Candidates(Index i, const BlockKeys& keys) const;
  // The members of person i's blocks before any screen, each once and never i: what Candidates
  // and LinksOf screen, numbered from 0 to size() in the order of the lists below, so that
  // runs of them can be screened apart (SelectCandidates).
  struct CandidateSources {
    std::vector<Index> compared;  // of compared token blocks: candidates as they are; sorted
    std::vector<Index> fuzzy;     // of screened token blocks and LSH bands only, as found
    std::vector<Index> address;   // of address bands only; sorted
    // Those of fuzzy also in an address band: a candidate through either screen. Sorted.
    std::vector<Index> fuzzy_at_address;
    size_t size() const { return compared.size() + fuzzy.size() + address.size(); }
  };
  CandidateSources GatherCandidateSources(Index i, const BlockKeys& keys) const;
  // Appends to `out` those of the sources numbered [begin, end) that are i's candidates.
  void SelectCandidates(Index i, const CandidateSources& sources, size_t begin, size_t end,
                        std::vector<Index>& out) const;
  // The records sharing a token block with i: into `compared` (not null), sorted and without
  // repeats, those from blocks whose pairs are always compared; appended to `screened`, as found
  // (repeats and all, and some may also be in `compared`), those from screened or crowded blocks
  // (null: those blocks are skipped). Dropped blocks give none. `only_higher`: just those with a
  // higher index, valid while every block lists its members in index order (as a Build into an
  // empty linker leaves them).
  void TokenCandidates(Index i, const std::vector<uint64_t>& token_keys, bool only_higher,
                       std::vector<Index>* compared, std::vector<Index>* screened) const;
  // Every pair of `persons` (sorted indices) sharing an LSH band with similar record filters, as
  // (lower << 32) | higher, sorted; computed on `workers` threads.
  // Only into a linker whose LSH index is empty (a fresh Build): also packs every band's
  // buckets for `persons` (LshIndex::PackBand), band by band on the workers.
  std::vector<uint64_t> IndexLshBandsAndFindSimilarPairs(const std::vector<Index>& persons,
                                                         size_t workers);
  uint64_t LshSignature(absl::string_view filter, size_t band) const;
  // Person p's signature in each address band; none without an address.
  std::vector<uint64_t> AddressSignatures(const PersonView& p) const;
  // Whether a pair found in an address band is similar enough to compare (address_min_dice).
  bool SimilarAddresses(Index a, Index b) const;
  // Every pair of `persons` (sorted indices) sharing an address band with similar addresses, as
  // (lower << 32) | higher, sorted. Only into an empty address index: also packs its bands.
  std::vector<uint64_t> IndexAddressBandsAndFindSimilarPairs(const std::vector<Index>& persons,
                                                             size_t workers);
  std::vector<uint64_t> TokenBlockKeys(const PersonView& p) const;
  std::vector<uint64_t> LshSignatures(Index i) const;
  // Person i's record filter as the linker reads it: its first quarter from clk_words_ when it is
  // 1024 bits, else the whole of it from the person record.
  absl::string_view RecordFilter(Index i) const;
  // Whether a and b share a bucket in a band before `band`, dropped buckets aside.
  bool ShareAnEarlierBand(Index a, Index b, size_t band) const;
  // Whether a pair found only through an LSH band or a screened block is similar enough to
  // compare (screen_min_dice_, or common_screen_min_dice_ for two common given names); true when
  // either has no record filter, unless their birth years differ (DifferentBirthYears).
  bool SimilarRecordFilters(Index a, Index b) const;
  // The same test for two persons that both have 1024-bit record filters, whose quarters are at
  // quarter_a and quarter_b (in clk_words_, or copies of them side by side: ScreenBlock): the
  // one place the screen's rule is written for them.
  bool SimilarQuarters(Index a, Index b, const uint64_t* quarter_a,
                       const uint64_t* quarter_b) const;
  // The screen's Dice for a and b: common_screen_min_dice_ when both given names are common.
  double ScreenMinDice(Index a, Index b) const;
  // Whether the screen stops a and b for their birth years, whatever their filters say.
  bool DifferentBirthYears(Index a, Index b) const;
  // Sets the model's m from sure matches among the candidate pairs of a sample of `seeds`
  // (options_.m_estimation); candidates_of(k) gives seeds[k]'s candidates.
  void EstimateM(const std::vector<Index>& seeds,
                 absl::FunctionRef<std::vector<Index>(size_t)> candidates_of, size_t workers);
  // Re-clusters the components holding `seeds` and assigns entity ids. The components are
  // clustered on `workers` threads when there are at least kParallelComponents of them (a
  // relink's hundreds of thousands; an update's few are not worth a thread).
  void Recluster(const std::vector<Index>& seeds, size_t workers = 1);
  static constexpr size_t kParallelComponents = 4096;
  // The records linked to `start`, directly or not, `start` first; first_visit(i) tells whether
  // i is met for the first time (and marks it met). The caller has marked `start`.
  std::vector<Index> Component(Index start, absl::FunctionRef<bool(Index)> first_visit) const;
  // The clusters of one component of the link graph (see the file comment), each in key order.
  // Marks the links it merges by (LinkEnd::merged), and only those; it writes only the
  // component's own links, so components are clustered on several threads at once.
  std::vector<std::vector<Index>> ClusterComponent(const std::vector<Index>& component);

  // The order clustering takes links in: strongest first, ties by the lower of the two records'
  // keys, then the higher; never by arrival order.
  struct OrderedLink {
    double weight;
    Index lo, hi;  // lo's key is the lower
  };
  OrderedLink Ordered(Index a, Index b, double weight) const;
  bool Before(const OrderedLink& x, const OrderedLink& y) const;
  // The weight of a pair: its link's if linked, else scored.
  double PairWeight(Index x, Index y) const;
  // Whether the last clustering of their component merged two clusters through the link of a
  // and b (LinkEnd::merged); SetMerged records it at both ends.
  bool Merged(Index a, Index b) const;
  void SetMerged(Index a, Index b, bool merged);
  // Whether two clusters may merge: no pair across them scores below the cannot-link weight and
  // the mean of all pairs across them reaches merge_mean_weight. The mean is summed in fixed
  // point, so that it does not depend on the order of the clusters' members, which differs
  // between a whole component's clustering and ReclusterAdded.
  bool MayMerge(const std::vector<Index>& a, const std::vector<Index>& b,
                absl::FunctionRef<double(Index, Index)> weight_of) const;
  // The records person i's cluster held just before the last clustering of its component took
  // `link`: those reached from i through links it merged before `link`.
  std::vector<Index> ClusterBefore(Index i, const OrderedLink& link) const;
  // After records `added` were linked, and none removed since the last clustering, re-clusters
  // what they change, with the partition that re-clustering their whole components would give,
  // but without doing so (see the comment in the .cc): a new record in a component of
  // thousands of namesakes changes a few clusters, and re-clustering all of it took 100 ms.
  void ReclusterAdded(const std::vector<Index>& added);
  // Makes `clusters` (each in key order) entities in place of the entities their records were
  // in, which must have no other members: a cluster keeps the oldest previous id of its
  // members not kept by another, and ids no cluster keeps redirect.
  void ReplaceEntities(std::vector<std::vector<Index>> clusters, size_t workers);
  void AdoptEntityIds(absl::FunctionRef<std::optional<EntityId>(const PersonKey&)> previous_id,
                      const std::map<EntityId, EntityId>& previous_redirects,
                      EntityId previous_next);
  void SetEntity(Index i, EntityId id);
  void AddRedirect(EntityId from, EntityId to);

  LinkerOptions options_;                 // the model's m changes only in a Build with m_estimation
  std::unique_ptr<HelperThread> helper_;  // from the first link that shares its members
  PairScorer scorer_;                     // under options_.model, made afresh when its m changes
  // The screen's Dice for the model's population (see LinkerOptions::lsh_min_dice_per_doubling),
  // and for two common given names. Fixed for the linker's life: the model's population does not
  // change between relinks, so records linked one by one meet the screen a relink did.
  const double screen_min_dice_;
  const double common_screen_min_dice_;
  // Whether the screen also stops pairs whose birth years differ (LinkerOptions::birth_year_screen
  // and the model's population).
  const bool screen_birth_years_;
  static constexpr Index kNoIndex = LshIndex::kNoIndex;
  LshIndex lsh_;                                      // the LSH buckets, by band and signature
  std::vector<std::vector<uint16_t>> lsh_positions_;  // per band, the sampled bit positions
  // Per band, its sampled positions as a 1024-bit mask (kFilterWords words), in clk_words_'s
  // layout.
  std::vector<uint64_t> band_masks_;
  LshIndex address_lsh_;  // by address band and signature (see LinkerOptions::address_bands)
  // The MinHash functions of the address bands, hashes_per_band for each band: the rank of
  // each filter bit position under function f (band b's h-th is f = b * hashes + h; each a
  // permutation of 0..kRankedPositions-1) at address_ranks_[position * row + f], row being the
  // number of functions, so that a set bit updates every minimum from one run of memory.
  static constexpr size_t kRankedPositions = 1024;
  static constexpr int kMaxAddressHashes = 16;
  static constexpr size_t kMaxAddressRow = 512;  // functions in all bands
  std::vector<int16_t> address_ranks_;

  MappedArena arena_;                  // the blocks of persons_ (a removed person's stays)
  std::vector<PackedPerson> persons_;  // by index; slots of removed persons are empty
  // The first quarter (kScreenFilterWords words) of each 1024-bit record filter, in one array
  // and with its bit count in screen_facts_: all the linker reads of a record filter. The screen's
  // Dice and the record LSH bands' sampled bits come from it, without a pointer chase. A filter's
  // bits are the positions its field values hash to, so its first 256 are a uniform sample of its
  // 1024, and their Dice estimates the whole filters' (on namesakes' encodings, of about 370 bits
  // set, within 0.025 on average and 0.08 for 99 pairs in 100). Held whole, the filters were 132 of
  // the 489 bytes a person record the linker held at ten million records; a quarter is 34, and
  // the accuracy data sets and the benchmark link as well as on halves or whole filters
  // (BENCHMARKS.md). A person without a 1024-bit one has no record filter in its ScreenFacts
  // (a filter of another length stays whole in its person record).
  static constexpr size_t kScreenBytes = kScreenFilterWords * sizeof(uint64_t);
  static constexpr size_t kScreenBits = kScreenBytes * 8;
  static constexpr size_t kClkBytes = kFilterWords * sizeof(uint64_t);
  std::vector<uint64_t> clk_words_;
  // By index, what the screen reads of a person besides its filter's quarter: that quarter's
  // bit count, whether its given name is common (LinkerOptions::common_name_frequency) and its
  // birth year's fingerprint.
  std::vector<ScreenFacts> screen_facts_;
  std::vector<bool> alive_;
  std::vector<Index> free_;
  // The persons of each held record: the set holds the slot of the record's first person and
  // hashes and compares it through that person's key; next_in_record_ (by index) chains the
  // record's other persons, kNoIndex ending the chain. A map by record id held a second copy of
  // every id (about 150 bytes a record). A person is found by key through its record (IndexOf):
  // a key names its record, and a record holds a person or three. A second set, of every slot by
  // its person's key, cost 8 bytes a person record.
  struct RecordSlotHash {
    using is_transparent = void;
    const std::vector<PackedPerson>* persons;
    size_t operator()(const RecordId& id) const {
      return absl::HashOf(id.kind, absl::string_view(id.key.force_code),
                          absl::string_view(id.key.record_id));
    }
    size_t operator()(const PersonKeyView& k) const {
      return absl::HashOf(k.kind, k.force_code, k.record_id);
    }
    size_t operator()(Index i) const { return (*this)((*persons)[i].key()); }
  };
  struct RecordSlotEq {
    using is_transparent = void;
    const std::vector<PackedPerson>* persons;
    std::tuple<RecordKind, absl::string_view, absl::string_view> IdOf(const RecordId& id) const {
      return {id.kind, id.key.force_code, id.key.record_id};
    }
    std::tuple<RecordKind, absl::string_view, absl::string_view> IdOf(
        const PersonKeyView& k) const {
      return {k.kind, k.force_code, k.record_id};
    }
    std::tuple<RecordKind, absl::string_view, absl::string_view> IdOf(Index i) const {
      return IdOf((*persons)[i].key());
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return IdOf(a) == IdOf(b);
    }
  };
  absl::flat_hash_set<Index, RecordSlotHash, RecordSlotEq> by_record_{0, RecordSlotHash{&persons_},
                                                                      RecordSlotEq{&persons_}};
  std::vector<Index> next_in_record_;
  // Members of each token block, by hashed block key: one band of an LshIndex, so that a relink
  // lays them side by side (4 or 5 bytes a member at ten million) and later records chain on.
  // A hash map of small vectors cost about a slot of 33 bytes per block, at twice the blocks'
  // number. The blocks a Build drops (LinkerOptions::dropped_block_members) are dropped in the
  // band itself.
  LshIndex token_blocks_{1, LshIndex::kMaxSignatureBits};
  // Keys of the compared token blocks found crowded by the Build that filled this linker
  // (LinkerOptions::crowded_block_members): their pairs are screened.
  absl::flat_hash_set<uint32_t> crowded_blocks_;
  // The ends of each person's links, weights >= link_weight (see link_ends.h). An end's
  // `merged` is set when the last clustering of its component took the link to merge two
  // clusters (ClusterComponent, ReclusterAdded), so that the clusters it held at any point of its
  // run can be recovered (ClusterBefore). Both ends of a link, and every use of it, read the same
  // float weight, so clustering orders and sums links alike however they arrived. An index
  // takes 31 bits of an end: the linker holds fewer than kMaxPersons.
  static constexpr Index kMaxPersons = LinkEnds::kNoOther;
  static_assert(kMaxPersons <= EntityMembers::kMaxIndex);
  std::vector<LinkEnds> links_;

  std::vector<EntityId> entity_of_;  // by index
  // Live entities, ordered by id. A B-tree holds them side by side (a map node was 64 bytes an
  // entity beside its members), each in 16 bytes: most entities have at most two members, which
  // EntityMembers holds without a heap block.
  absl::btree_map<EntityId, EntityMembers> members_;
  absl::flat_hash_map<EntityId, EntityId> redirect_;  // absorbed id -> surviving id
  EntityId next_entity_ = 1;

  bool track_changes_ = false;
  AssignmentChanges changes_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_LINKER_H_
