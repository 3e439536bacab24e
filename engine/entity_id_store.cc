#include "engine/entity_id_store.h"

#include "absl/strings/str_cat.h"
#include "engine/byte_codec.h"
#include "engine/status_macros.h"

namespace crossforce {
namespace {

// Keys: 'p' + person key; 'r' + absorbed id (8 bytes, big-endian); 'n' holds the next id.
constexpr char kPersonPrefix = 'p';
constexpr char kRedirectPrefix = 'r';
constexpr char kNextKey[] = "n";

std::string PersonKeyBytes(const PersonKey& key) {
  std::string out(1, kPersonPrefix);
  ByteWriter w(&out);
  w.PutByte(static_cast<uint8_t>(key.kind));
  w.PutString(key.force_code);
  w.PutString(key.record_id);
  w.PutString(key.nominal_ref);
  w.PutByte(static_cast<uint8_t>(key.role));
  return out;
}

absl::StatusOr<PersonKey> DecodePersonKey(absl::string_view bytes) {
  ByteReader r(bytes.substr(1));
  PersonKey key;
  CF_ASSIGN_OR_RETURN(uint8_t kind, r.Byte());
  CF_ASSIGN_OR_RETURN(absl::string_view force, r.String());
  CF_ASSIGN_OR_RETURN(absl::string_view record, r.String());
  CF_ASSIGN_OR_RETURN(absl::string_view ref, r.String());
  CF_ASSIGN_OR_RETURN(uint8_t role, r.Byte());
  if (kind < 1 || kind > 2 || role < 1 || role > kMaxPartyRole || !r.done()) {
    return absl::DataLossError("entities table: damaged person key");
  }
  key.kind = static_cast<RecordKind>(kind);
  key.force_code = std::string(force);
  key.record_id = std::string(record);
  key.nominal_ref = std::string(ref);
  key.role = static_cast<PartyRole>(role);
  return key;
}

std::string RedirectKey(EntityId id) {
  std::string out(1, kRedirectPrefix);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(id >> shift));
  return out;
}

std::string VarintBytes(uint64_t v) {
  std::string out;
  ByteWriter(&out).PutVarint(v);
  return out;
}

absl::StatusOr<uint64_t> ReadVarint(absl::string_view bytes) {
  ByteReader r(bytes);
  CF_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
  if (!r.done()) return absl::DataLossError("entities table: damaged value");
  return v;
}

}  // namespace

absl::StatusOr<Linker::SavedAssignment> LoadEntityAssignment(Storage& storage) {
  Linker::SavedAssignment out;
  absl::Status status;
  CF_RETURN_IF_ERROR(
      storage.Scan(Table::kEntities, "", [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<uint64_t> id = ReadVarint(value);
        if (!id.ok()) {
          status = id.status();
          return false;
        }
        if (key == kNextKey) {
          out.next_entity = std::max<EntityId>(out.next_entity, *id);
        } else if (!key.empty() && key[0] == kPersonPrefix) {
          absl::StatusOr<PersonKey> person = DecodePersonKey(key);
          if (!person.ok()) {
            status = person.status();
            return false;
          }
          out.entity_of[*std::move(person)] = *id;
          out.next_entity = std::max<EntityId>(out.next_entity, *id + 1);
        } else if (key.size() == 9 && key[0] == kRedirectPrefix) {
          EntityId from = 0;
          for (int i = 1; i < 9; ++i) from = (from << 8) | static_cast<uint8_t>(key[i]);
          out.redirects[from] = *id;
          out.next_entity = std::max<EntityId>(out.next_entity, from + 1);
        }
        return true;
      }));
  CF_RETURN_IF_ERROR(status);
  return out;
}

std::vector<StorageWrite> EntityChangeWrites(const Linker::AssignmentChanges& changes) {
  std::vector<StorageWrite> out;
  for (const auto& [person, id] : changes.entity_of) {
    out.push_back({Table::kEntities, PersonKeyBytes(person),
                   id == 0 ? std::nullopt : std::optional<std::string>(VarintBytes(id))});
  }
  for (const auto& [from, to] : changes.redirects) {
    out.push_back({Table::kEntities, RedirectKey(from), VarintBytes(to)});
  }
  if (!out.empty()) out.push_back({Table::kEntities, kNextKey, VarintBytes(changes.next_entity)});
  return out;
}

std::vector<StorageWrite> EntityAssignmentWrites(const Linker::SavedAssignment& before,
                                                 const Linker::SavedAssignment& after) {
  std::vector<StorageWrite> out;
  // Both maps are in key order: one walk through the two, where a lookup of every key in the
  // other map cost a million searches of a million keys after a relink.
  auto b = before.entity_of.begin();
  auto a = after.entity_of.begin();
  while (b != before.entity_of.end() || a != after.entity_of.end()) {
    if (a == after.entity_of.end() || (b != before.entity_of.end() && b->first < a->first)) {
      out.push_back({Table::kEntities, PersonKeyBytes(b->first), std::nullopt});  // gone
      ++b;
    } else if (b == before.entity_of.end() || a->first < b->first) {
      out.push_back({Table::kEntities, PersonKeyBytes(a->first), VarintBytes(a->second)});  // new
      ++a;
    } else {
      if (a->second != b->second) {
        out.push_back({Table::kEntities, PersonKeyBytes(a->first), VarintBytes(a->second)});
      }
      ++a;
      ++b;
    }
  }
  for (const auto& [from, to] : after.redirects) {
    auto it = before.redirects.find(from);
    if (it == before.redirects.end() || it->second != to) {
      out.push_back({Table::kEntities, RedirectKey(from), VarintBytes(to)});
    }
  }
  if (after.next_entity != before.next_entity) {
    out.push_back({Table::kEntities, kNextKey, VarintBytes(after.next_entity)});
  }
  return out;
}

}  // namespace crossforce
