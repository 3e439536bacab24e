// Translation of the linker's types (person keys, entities, links) to the wire contract, shared by
// the linkage and flag services. Thread-safe (pure).
#ifndef CROSSFORCE_SERVER_ENTITY_CONVERT_H_
#define CROSSFORCE_SERVER_ENTITY_CONVERT_H_

#include "crossforce/v1/linkage_service.pb.h"
#include "engine/linkage/linker.h"

namespace crossforce {

void ToProto(const PersonKey& key, v1::PersonRef* out);
void ToProto(const Entity& entity, v1::Entity* out);
void ToProto(const Link& link, v1::EntityLink* out);

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_ENTITY_CONVERT_H_
