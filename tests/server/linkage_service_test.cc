#include "server/linkage_service.h"

#include "client/anonymiser.h"
#include "client/normalise.h"
#include "crossforce/v1/linkage_service.grpc.pb.h"
#include "engine/linkage/match_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/record_convert.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::TestServer;
using ::testing::ElementsAre;

class LinkageServiceTest : public ::testing::Test {
 protected:
  LinkageServiceTest() : anonymiser_(*client::LinkageKey::FromSecret(std::string(32, '\x41'))) {}

  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = v1::LinkageService::NewStub(server_.channel());
  }

  // An incident of `force` whose suspect is the given person and whose victim is someone else.
  v1::Record Incident(const std::string& force, const std::string& id, const std::string& ref,
                      const std::string& given, const std::string& family, const std::string& dob,
                      const std::string& phone) {
    client::PersonIdentifiers p;
    p.given_name = client::NormaliseName(given);
    p.family_name = client::NormaliseName(family);
    p.date_of_birth = *client::ParseDate(dob);
    p.phones.push_back(*client::NormalisePhone(phone));
    v1::Record record;
    v1::IncidentRecord* x = record.mutable_incident();
    x->mutable_key()->set_force_code(force);
    x->mutable_key()->set_record_id(id);
    x->set_version(1);
    x->mutable_offence_date()->set_year(2025);
    x->mutable_offence_date()->set_month(1);
    x->mutable_offence_date()->set_day(2);
    x->mutable_review_date()->set_year(2032);
    x->mutable_review_date()->set_month(1);
    x->mutable_review_date()->set_day(2);
    x->set_main_offence(v1::OFFENCE_CODE_STALKING);
    v1::Party* suspect = x->add_parties();
    suspect->set_role(v1::PARTY_ROLE_SUSPECT);
    suspect->set_nominal_ref(ref);
    *suspect->mutable_identity() = anonymiser_.Anonymise(p);
    return record;
  }

  void Ingest(const std::vector<v1::Record>& records) {
    v1::BatchUpsertRecordsRequest request;
    for (const auto& r : records) *request.add_records() = r;
    v1::BatchUpsertRecordsResponse response;
    ASSERT_TRUE(
        server_.stub().BatchUpsertRecords(TestServer::Context().get(), request, &response).ok());
    for (const auto& r : response.results()) ASSERT_EQ(r.outcome(), v1::INGEST_OUTCOME_CREATED);
  }

  std::vector<v1::Entity> AllEntities(int page_size) {
    std::vector<v1::Entity> out;
    std::string token;
    do {
      v1::ListEntitiesRequest request;
      request.set_page_size(page_size);
      request.set_page_token(token);
      v1::ListEntitiesResponse response;
      EXPECT_TRUE(stub_->ListEntities(TestServer::Context().get(), request, &response).ok());
      out.insert(out.end(), response.entities().begin(), response.entities().end());
      token = response.next_page_token();
    } while (!token.empty());
    return out;
  }

  client::Anonymiser anonymiser_;
  TestServer server_;
  std::unique_ptr<v1::LinkageService::Stub> stub_;
};

TEST_F(LinkageServiceTest, LinksAcrossForcesAtIngestAndExplains) {
  Ingest({Incident("WYP", "I1", "S1", "Robert", "Smyth", "01/02/1980", "07700 900123"),
          Incident("MET", "I9", "N7", "Bob", "SMITH", "1980-02-01", "+44 7700 900123"),
          Incident("GMP", "I4", "P2", "Aoife", "Okafor", "1991-09-09", "07700 911111")});
  const std::vector<v1::Entity> entities = AllEntities(1);  // one per page: pagination works
  ASSERT_EQ(entities.size(), 2u);
  const v1::Entity& linked = entities[0].records_size() == 2 ? entities[0] : entities[1];
  ASSERT_EQ(linked.records_size(), 2);

  v1::GetEntityRequest get;
  get.set_entity_id(linked.entity_id());
  v1::GetEntityResponse entity;
  ASSERT_TRUE(stub_->GetEntity(TestServer::Context().get(), get, &entity).ok());
  ASSERT_EQ(entity.links_size(), 1);
  EXPECT_GT(entity.links(0).weight(), 10);
  // Both records are held by the one link, so each belongs with the link's confidence; a record
  // alone in its entity belongs with certainty.
  const double confidence = entity.links(0).confidence();
  EXPECT_GT(confidence, 0.5);
  EXPECT_LE(confidence, 1);
  EXPECT_THAT(entity.entity().link_confidence(), ElementsAre(confidence, confidence));
  EXPECT_THAT(linked.link_confidence(), ElementsAre(confidence, confidence));
  const v1::Entity& alone = entities[0].records_size() == 2 ? entities[1] : entities[0];
  EXPECT_THAT(alone.link_confidence(), ElementsAre(1.0));

  v1::ExplainLinkRequest explain;
  explain.mutable_a()->mutable_record()->set_force_code("WYP");
  explain.mutable_a()->mutable_record()->set_record_id("I1");
  explain.mutable_a()->set_nominal_ref("S1");
  explain.mutable_b()->mutable_record()->set_force_code("MET");
  explain.mutable_b()->mutable_record()->set_record_id("I9");
  explain.mutable_b()->set_nominal_ref("N7");
  v1::ExplainLinkResponse why;
  ASSERT_TRUE(stub_->ExplainLink(TestServer::Context().get(), explain, &why).ok());
  EXPECT_TRUE(why.same_entity());
  EXPECT_GE(why.weight(), why.link_weight());
  MatchModel model;  // the curve, at the hub's link weight (three records: no doublings)
  model.link_weight = why.link_weight();
  EXPECT_NEAR(why.confidence(), model.LinkConfidence(why.weight()), 1e-12);
  EXPECT_NEAR(why.confidence(), confidence, 1e-6) << "the link's weight, held as a float";
  ASSERT_EQ(why.comparisons_size(), kComparisonCount);
  EXPECT_EQ(why.comparisons(0).comparison(), "given_name");
  EXPECT_EQ(why.comparisons(2).level(), "same date");
  EXPECT_EQ(why.comparisons(4).level(), "missing");  // no PNC id on either side

  explain.mutable_b()->set_nominal_ref("nobody");
  EXPECT_EQ(stub_->ExplainLink(TestServer::Context().get(), explain, &why).error_code(),
            grpc::StatusCode::NOT_FOUND);
  explain.mutable_b()->clear_record();
  EXPECT_EQ(stub_->ExplainLink(TestServer::Context().get(), explain, &why).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.set_entity_id(999999);
  EXPECT_EQ(stub_->GetEntity(TestServer::Context().get(), get, &entity).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListEntitiesRequest bad;
  bad.set_page_token("not a token");
  v1::ListEntitiesResponse ignored;
  EXPECT_EQ(stub_->ListEntities(TestServer::Context().get(), bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LinkageServiceTest, RelinkKeepsEntityIdsAndDeletionUnlinks) {
  Ingest({Incident("WYP", "I1", "S1", "Robert", "Smyth", "01/02/1980", "07700 900123"),
          Incident("MET", "I9", "N7", "Bob", "SMITH", "1980-02-01", "+44 7700 900123")});
  const std::vector<v1::Entity> before = AllEntities(100);
  ASSERT_EQ(before.size(), 1u);
  v1::RelinkResponse relinked;
  ASSERT_TRUE(stub_->Relink(TestServer::Context().get(), v1::RelinkRequest(), &relinked).ok());
  EXPECT_EQ(relinked.persons(), 2u);
  EXPECT_EQ(relinked.entities(), 1u);
  const std::vector<v1::Entity> after = AllEntities(100);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].entity_id(), before[0].entity_id());

  v1::DeleteRecordRequest del;
  del.set_kind(v1::RECORD_KIND_INCIDENT);
  del.mutable_key()->set_force_code("MET");
  del.mutable_key()->set_record_id("I9");
  v1::DeleteRecordResponse deleted;
  ASSERT_TRUE(server_.stub().DeleteRecord(TestServer::Context().get(), del, &deleted).ok());
  const std::vector<v1::Entity> remaining = AllEntities(100);
  ASSERT_EQ(remaining.size(), 1u);
  EXPECT_EQ(remaining[0].records_size(), 1);
}

}  // namespace
}  // namespace crossforce
