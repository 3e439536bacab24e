#include "engine/patterns/case_graph.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/hash/hash.h"
#include "boost/graph/adjacency_list.hpp"

namespace crossforce {
namespace {

enum class VertexKind : uint8_t { kForce, kIncident, kOrder, kEntity };
enum class EdgeKind : uint8_t { kRecordedBy, kIssuedBy, kSuspect, kVictim, kSubject, kProtected };

struct VertexData {
  VertexKind kind = VertexKind::kEntity;
  EntityId entity = 0;                     // kEntity
  std::string force;                       // kForce
  std::shared_ptr<CaseIncident> incident;  // kIncident
  std::shared_ptr<CaseOrder> order;        // kOrder
};

struct EdgeData {
  EdgeKind kind = EdgeKind::kRecordedBy;
  uint32_t party = 0;  // kSuspect, kVictim: the index in the incident's suspects or victims
};

// Vertices in a list: their descriptors, held in the record and entity maps, stay valid while
// other vertices come and go. Each vertex's edges in a vector: no edge descriptor is held across
// a change, and the rules walk a suspect's edges millions of times, one array each instead of a
// list node per edge (full detection at a million incidents 4.2 s to 3.2 s, BENCHMARKS.md).
using Graph =
    boost::adjacency_list<boost::vecS, boost::listS, boost::bidirectionalS, VertexData, EdgeData>;
using Vertex = Graph::vertex_descriptor;
using Edge = Graph::edge_descriptor;

struct RecordIdHash {
  size_t operator()(const RecordId& id) const {
    return absl::HashOf(static_cast<int>(id.kind), id.key.force_code, id.key.record_id);
  }
};

std::string TokenKey(const IdentifierToken& token) {
  std::string key(1, static_cast<char>(token.kind));
  key += token.token;
  return key;
}

}  // namespace

struct CaseGraph::Impl {
  Graph graph;
  absl::flat_hash_map<RecordId, Vertex, RecordIdHash> records;
  absl::flat_hash_map<EntityId, Vertex> entities;
  std::map<std::string, Vertex> forces;
  // Contact token -> the incidents whose suspects hold it, with the suspect's index.
  absl::flat_hash_map<std::string, std::vector<std::pair<Vertex, uint32_t>>> token_holders;

  Vertex ForceVertex(const std::string& code) {
    auto it = forces.find(code);
    if (it != forces.end()) return it->second;
    const Vertex v = boost::add_vertex(graph);
    graph[v].kind = VertexKind::kForce;
    graph[v].force = code;
    forces.emplace(code, v);
    return v;
  }

  void Attach(Vertex record, EdgeKind kind, uint32_t party, EntityId entity) {
    if (entity == 0) return;
    auto [it, inserted] = entities.try_emplace(entity);
    if (inserted) {
      it->second = boost::add_vertex(graph);
      graph[it->second].kind = VertexKind::kEntity;
      graph[it->second].entity = entity;
    }
    boost::add_edge(record, it->second, EdgeData{kind, party}, graph);
  }

  void DropEntityIfOrphan(Vertex v) {
    if (boost::in_degree(v, graph) != 0) return;
    entities.erase(graph[v].entity);
    boost::remove_vertex(v, graph);
  }

  // The person record an edge from a record vertex stands for; nullptr for force edges.
  const PersonKey* PersonOf(Vertex record, const EdgeData& e) const {
    const VertexData& d = graph[record];
    switch (e.kind) {
      case EdgeKind::kSuspect:
        return &d.incident->suspects[e.party].person;
      case EdgeKind::kVictim:
        return &d.incident->victims[e.party].person;
      case EdgeKind::kSubject:
        return &*d.order->subject;
      case EdgeKind::kProtected:
        return &*d.order->protected_person;
      default:
        return nullptr;
    }
  }

  void RemoveRecord(const RecordId& id, std::set<EntityId>& touched) {
    auto it = records.find(id);
    if (it == records.end()) return;
    const Vertex v = it->second;
    if (graph[v].incident != nullptr) {
      for (const CaseParty& s : graph[v].incident->suspects) {
        for (const IdentifierToken& t : s.contact_tokens) {
          auto holders = token_holders.find(TokenKey(t));
          if (holders == token_holders.end()) continue;
          std::erase_if(holders->second, [v](const auto& h) { return h.first == v; });
          if (holders->second.empty()) token_holders.erase(holders);
        }
      }
    }
    std::vector<Vertex> targets;
    for (auto [e, end] = boost::out_edges(v, graph); e != end; ++e) {
      const Vertex t = boost::target(*e, graph);
      if (graph[t].kind == VertexKind::kEntity) {
        touched.insert(graph[t].entity);
        targets.push_back(t);
      }
    }
    boost::clear_vertex(v, graph);
    boost::remove_vertex(v, graph);
    records.erase(it);
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (Vertex t : targets) DropEntityIfOrphan(t);
  }
};

CaseGraph::CaseGraph() : impl_(std::make_unique<Impl>()) {}
CaseGraph::~CaseGraph() = default;

void CaseGraph::UpsertIncident(CaseIncident incident, EntityOf entity_of,
                               std::set<EntityId>& touched) {
  const RecordId id{RecordKind::kIncident, incident.key};
  impl_->RemoveRecord(id, touched);
  Graph& g = impl_->graph;
  const Vertex v = boost::add_vertex(g);
  g[v].kind = VertexKind::kIncident;
  g[v].incident = std::make_shared<CaseIncident>(std::move(incident));
  const CaseIncident& c = *g[v].incident;
  impl_->records.emplace(id, v);
  boost::add_edge(v, impl_->ForceVertex(c.key.force_code), EdgeData{EdgeKind::kRecordedBy, 0}, g);
  for (uint32_t i = 0; i < c.suspects.size(); ++i) {
    const EntityId e = entity_of(c.suspects[i].person);
    impl_->Attach(v, EdgeKind::kSuspect, i, e);
    if (e != 0) touched.insert(e);
    for (const IdentifierToken& t : c.suspects[i].contact_tokens) {
      impl_->token_holders[TokenKey(t)].emplace_back(v, i);
    }
  }
  for (uint32_t i = 0; i < c.victims.size(); ++i) {
    const EntityId e = entity_of(c.victims[i].person);
    impl_->Attach(v, EdgeKind::kVictim, i, e);
    if (e != 0) touched.insert(e);
  }
}

void CaseGraph::UpsertOrder(CaseOrder order, EntityOf entity_of, std::set<EntityId>& touched) {
  const RecordId id{RecordKind::kOrder, order.key};
  impl_->RemoveRecord(id, touched);
  Graph& g = impl_->graph;
  const Vertex v = boost::add_vertex(g);
  g[v].kind = VertexKind::kOrder;
  g[v].order = std::make_shared<CaseOrder>(std::move(order));
  const CaseOrder& c = *g[v].order;
  impl_->records.emplace(id, v);
  boost::add_edge(v, impl_->ForceVertex(c.key.force_code), EdgeData{EdgeKind::kIssuedBy, 0}, g);
  if (c.subject.has_value()) {
    const EntityId e = entity_of(*c.subject);
    impl_->Attach(v, EdgeKind::kSubject, 0, e);
    if (e != 0) touched.insert(e);
  }
  if (c.protected_person.has_value()) {
    const EntityId e = entity_of(*c.protected_person);
    impl_->Attach(v, EdgeKind::kProtected, 0, e);
    if (e != 0) touched.insert(e);
  }
}

void CaseGraph::Upsert(CaseRecord record, EntityOf entity_of, std::set<EntityId>& touched) {
  if (auto* incident = std::get_if<CaseIncident>(&record)) {
    UpsertIncident(std::move(*incident), entity_of, touched);
  } else {
    UpsertOrder(std::get<CaseOrder>(std::move(record)), entity_of, touched);
  }
}

void CaseGraph::Remove(const RecordId& id, std::set<EntityId>& touched) {
  impl_->RemoveRecord(id, touched);
}

EntityId CaseGraph::MovePerson(const PersonKey& person, EntityId entity) {
  auto it =
      impl_->records.find(RecordId{person.kind, RecordKey{person.force_code, person.record_id}});
  if (it == impl_->records.end()) return 0;
  Graph& g = impl_->graph;
  const Vertex v = it->second;
  for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
    const EdgeData data = g[*e];
    const PersonKey* key = impl_->PersonOf(v, data);
    if (key == nullptr || *key != person) continue;
    const Vertex old = boost::target(*e, g);
    const EntityId old_entity = g[old].entity;
    if (old_entity == entity) return 0;
    boost::remove_edge(*e, g);
    impl_->DropEntityIfOrphan(old);
    impl_->Attach(v, data.kind, data.party, entity);
    return old_entity;
  }
  // The person had no entity before (the linker had not placed it): attach it now.
  const VertexData& d = g[v];
  if (d.incident != nullptr) {
    for (uint32_t i = 0; i < d.incident->suspects.size(); ++i) {
      if (d.incident->suspects[i].person == person) impl_->Attach(v, EdgeKind::kSuspect, i, entity);
    }
    for (uint32_t i = 0; i < d.incident->victims.size(); ++i) {
      if (d.incident->victims[i].person == person) impl_->Attach(v, EdgeKind::kVictim, i, entity);
    }
  } else if (d.order != nullptr) {
    if (d.order->subject == person) impl_->Attach(v, EdgeKind::kSubject, 0, entity);
    if (d.order->protected_person == person) impl_->Attach(v, EdgeKind::kProtected, 0, entity);
  }
  return 0;
}

void CaseGraph::Neighbourhood(const RecordId& id, std::set<EntityId>& suspects,
                              std::set<std::pair<TokenKind, std::string>>& tokens) const {
  auto it = impl_->records.find(id);
  if (it == impl_->records.end()) return;
  const Graph& g = impl_->graph;
  for (auto [e, end] = boost::out_edges(it->second, g); e != end; ++e) {
    const EdgeKind kind = g[*e].kind;
    if (kind == EdgeKind::kSuspect || kind == EdgeKind::kSubject) {
      suspects.insert(g[boost::target(*e, g)].entity);
    }
  }
  if (const CaseIncident* incident = g[it->second].incident.get()) {
    for (const CaseParty& s : incident->suspects) {
      for (const IdentifierToken& t : s.contact_tokens) tokens.emplace(t.kind, t.token);
    }
  }
}

std::vector<EntityId> CaseGraph::SuspectEntities() const {
  const Graph& g = impl_->graph;
  std::vector<EntityId> out;
  for (const auto& [id, v] : impl_->entities) {
    for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) {
      if (g[*e].kind == EdgeKind::kSuspect) {
        out.push_back(id);
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SuspectIncident> CaseGraph::IncidentsOfSuspect(EntityId entity) const {
  std::vector<SuspectIncident> out;
  auto it = impl_->entities.find(entity);
  if (it == impl_->entities.end()) return out;
  const Graph& g = impl_->graph;
  for (auto [e, end] = boost::in_edges(it->second, g); e != end; ++e) {
    if (g[*e].kind != EdgeKind::kSuspect) continue;
    const Vertex incident_vertex = boost::source(*e, g);
    const CaseIncident* incident = g[incident_vertex].incident.get();
    SuspectIncident si{incident, &incident->suspects[g[*e].party], {}};
    for (auto [o, o_end] = boost::out_edges(incident_vertex, g); o != o_end; ++o) {
      if (g[*o].kind != EdgeKind::kVictim) continue;
      si.victims.emplace_back(&incident->victims[g[*o].party], g[boost::target(*o, g)].entity);
    }
    out.push_back(std::move(si));
  }
  return out;
}

std::vector<SubjectOrder> CaseGraph::OrdersOnSubject(EntityId entity) const {
  std::vector<SubjectOrder> out;
  auto it = impl_->entities.find(entity);
  if (it == impl_->entities.end()) return out;
  const Graph& g = impl_->graph;
  for (auto [e, end] = boost::in_edges(it->second, g); e != end; ++e) {
    if (g[*e].kind != EdgeKind::kSubject) continue;
    const Vertex order_vertex = boost::source(*e, g);
    SubjectOrder so{g[order_vertex].order.get(), 0};
    for (auto [o, o_end] = boost::out_edges(order_vertex, g); o != o_end; ++o) {
      if (g[*o].kind == EdgeKind::kProtected) so.protected_entity = g[boost::target(*o, g)].entity;
    }
    out.push_back(so);
  }
  return out;
}

std::vector<const CaseIncident*> CaseGraph::IncidentsOf(EntityId entity) const {
  std::vector<const CaseIncident*> out;
  auto it = impl_->entities.find(entity);
  if (it == impl_->entities.end()) return out;
  const Graph& g = impl_->graph;
  for (auto [e, end] = boost::in_edges(it->second, g); e != end; ++e) {
    if (const CaseIncident* c = g[boost::source(*e, g)].incident.get()) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const CaseIncident* a, const CaseIncident* b) {
    return std::tie(a->offence_date, a->key) < std::tie(b->offence_date, b->key);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<const CaseOrder*> CaseGraph::OrdersOf(EntityId entity) const {
  std::vector<const CaseOrder*> out;
  auto it = impl_->entities.find(entity);
  if (it == impl_->entities.end()) return out;
  const Graph& g = impl_->graph;
  for (auto [e, end] = boost::in_edges(it->second, g); e != end; ++e) {
    if (const CaseOrder* o = g[boost::source(*e, g)].order.get()) out.push_back(o);
  }
  std::sort(out.begin(), out.end(),
            [](const CaseOrder* a, const CaseOrder* b) { return a->key < b->key; });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<TokenHolder> CaseGraph::HoldersOf(const IdentifierToken& token) const {
  std::vector<TokenHolder> out;
  auto holders = impl_->token_holders.find(TokenKey(token));
  if (holders == impl_->token_holders.end()) return out;
  const Graph& g = impl_->graph;
  for (const auto& [v, party] : holders->second) {
    const CaseIncident* incident = g[v].incident.get();
    EntityId entity = 0;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      if (g[*e].kind == EdgeKind::kSuspect && g[*e].party == party) {
        entity = g[boost::target(*e, g)].entity;
      }
    }
    out.push_back({incident, &incident->suspects[party], entity});
  }
  return out;
}

std::vector<IdentifierToken> CaseGraph::TokensOfSuspect(EntityId entity) const {
  std::vector<IdentifierToken> out;
  for (const SuspectIncident& si : IncidentsOfSuspect(entity)) {
    for (const IdentifierToken& t : si.suspect->contact_tokens) {
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
  }
  return out;
}

std::vector<IdentifierToken> CaseGraph::SharedTokens() const {
  std::vector<IdentifierToken> out;
  const Graph& g = impl_->graph;
  for (const auto& [key, holders] : impl_->token_holders) {
    // Only tokens recorded by two forces or more can be shared across forces.
    const std::string& first_force = g[holders[0].first].incident->key.force_code;
    const bool several_forces = std::any_of(holders.begin() + 1, holders.end(), [&](const auto& h) {
      return g[h.first].incident->key.force_code != first_force;
    });
    if (several_forces)
      out.push_back(IdentifierToken{static_cast<TokenKind>(key[0]), key.substr(1)});
  }
  return out;
}

size_t CaseGraph::incident_count() const {
  size_t n = 0;
  for (const auto& [id, v] : impl_->records) n += id.kind == RecordKind::kIncident;
  return n;
}

size_t CaseGraph::order_count() const { return impl_->records.size() - incident_count(); }

size_t CaseGraph::entity_count() const { return impl_->entities.size(); }

}  // namespace crossforce
