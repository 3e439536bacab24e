#include "server/entity_convert.h"

#include "server/record_convert.h"

namespace crossforce {

void ToProto(const PersonKey& key, v1::PersonRef* out) {
  out->set_kind(ToProto(key.kind));
  *out->mutable_record() = ToProto(RecordKey{key.force_code, key.record_id});
  out->set_nominal_ref(key.nominal_ref);
  out->set_role(static_cast<v1::PartyRole>(key.role));
}

void ToProto(const Entity& entity, v1::Entity* out) {
  out->set_entity_id(entity.id);
  for (const PersonKey& key : entity.members) ToProto(key, out->add_records());
  for (double c : entity.link_confidence) out->add_link_confidence(c);
}

void ToProto(const Link& link, v1::EntityLink* out) {
  ToProto(link.a, out->mutable_a());
  ToProto(link.b, out->mutable_b());
  out->set_weight(link.weight);
  out->set_confidence(link.confidence);
}

}  // namespace crossforce
