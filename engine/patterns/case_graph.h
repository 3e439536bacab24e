// The hub's case graph: person entities, incidents, protective orders and forces, with an edge for
// each way they meet (a suspect in an incident, a victim in it, the force that recorded it, the
// subject and protected person of an order, the force that issued it). Person entities come from
// the linker and move when it merges or splits them; incidents and orders come from the store.
//
// Boost.Graph holds the structure (vertices and edges in node lists, so removing one never
// invalidates the others); callers see only the project's own types. Thread-compatible.
#ifndef CROSSFORCE_ENGINE_PATTERNS_CASE_GRAPH_H_
#define CROSSFORCE_ENGINE_PATTERNS_CASE_GRAPH_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "engine/linkage/linker.h"
#include "engine/patterns/case_record.h"

namespace crossforce {

// A suspect's part in one incident, with the victims' entities.
struct SuspectIncident {
  const CaseIncident* incident = nullptr;
  const CaseParty* suspect = nullptr;
  std::vector<std::pair<const CaseParty*, EntityId>> victims;
};

// An order restraining an entity, with the protected person's entity (0: none recorded).
struct SubjectOrder {
  const CaseOrder* order = nullptr;
  EntityId protected_entity = 0;
};

// A suspect record holding a given identifier token.
struct TokenHolder {
  const CaseIncident* incident = nullptr;
  const CaseParty* suspect = nullptr;
  EntityId entity = 0;
};

class CaseGraph {
 public:
  // The entity a person record belongs to now (0: not linked).
  using EntityOf = absl::FunctionRef<EntityId(const PersonKey&)>;

  CaseGraph();
  ~CaseGraph();
  CaseGraph(const CaseGraph&) = delete;
  CaseGraph& operator=(const CaseGraph&) = delete;

  // Adds or replaces a record; `touched` receives the entities it was and is attached to.
  void UpsertIncident(CaseIncident incident, EntityOf entity_of, std::set<EntityId>& touched);
  void UpsertOrder(CaseOrder order, EntityOf entity_of, std::set<EntityId>& touched);
  // Either of the above.
  void Upsert(CaseRecord record, EntityOf entity_of, std::set<EntityId>& touched);
  void Remove(const RecordId& id, std::set<EntityId>& touched);

  // Moves a person record to `entity` (the linker merged or split). Returns the entity it left;
  // 0 when the person is not in the graph or did not move.
  EntityId MovePerson(const PersonKey& person, EntityId entity);

  // What a change to record `id` can affect: the entities of its suspects (an order's subject)
  // and its suspects' contact tokens. Nothing when the record is not held.
  void Neighbourhood(const RecordId& id, std::set<EntityId>& suspects,
                     std::set<std::pair<TokenKind, std::string>>& tokens) const;

  // Every entity that is a suspect in at least one incident, ascending.
  std::vector<EntityId> SuspectEntities() const;
  std::vector<SuspectIncident> IncidentsOfSuspect(EntityId entity) const;
  std::vector<SubjectOrder> OrdersOnSubject(EntityId entity) const;
  // Every incident and order the entity takes part in, in any role, without duplicates.
  std::vector<const CaseIncident*> IncidentsOf(EntityId entity) const;
  std::vector<const CaseOrder*> OrdersOf(EntityId entity) const;
  // Suspect records holding `token`, and every token held by `entity`'s suspect records.
  std::vector<TokenHolder> HoldersOf(const IdentifierToken& token) const;
  std::vector<IdentifierToken> TokensOfSuspect(EntityId entity) const;
  // Every contact token held by suspect records of at least two forces.
  std::vector<IdentifierToken> SharedTokens() const;

  size_t incident_count() const;
  size_t order_count() const;
  size_t entity_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_CASE_GRAPH_H_
