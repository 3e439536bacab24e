#!/usr/bin/env python3
"""End-to-end test through another language's gRPC stack (Python grpcio).

Starts crossforce-server as a child process on 127.0.0.1 with an ephemeral port, then checks from
Python: health checking, server reflection (including the health service's descriptors), a client
stream with a valid record and a bad one, and a clean exit on SIGTERM.

  foreign_client_test.py SERVER_BINARY PROTO_DIR
"""
import os
import signal
import subprocess
import sys
import tempfile
import unittest

SERVER, PROTO_DIR = sys.argv[1], sys.argv[2]
GRPC_PROTO_DIR = "/usr/share/grpc-proto"


def generate_stubs(out_dir):
    """Python stubs for our protos, health and reflection, generated flat into out_dir."""
    protos = [
        (PROTO_DIR, "crossforce/v1/records.proto"),
        (PROTO_DIR, "crossforce/v1/ingest_service.proto"),
        (PROTO_DIR, "crossforce/v1/linkage_service.proto"),
        (PROTO_DIR, "crossforce/v1/flag_service.proto"),
        (GRPC_PROTO_DIR + "/grpc/health/v1", "health.proto"),
        (GRPC_PROTO_DIR + "/grpc/reflection/v1alpha", "reflection.proto"),
    ]
    for include, proto in protos:
        subprocess.run(
            ["protoc", "-I" + include, "-I/usr/include", "--python_out=" + out_dir,
             "--grpc_out=" + out_dir, "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
             os.path.join(include, proto)],
            check=True)
    sys.path.insert(0, out_dir)


def make_identity(seed):
    from crossforce.v1 import records_pb2 as rec
    ident = rec.AnonymisedIdentity(schema_id="crossforce-person-v1",
                                   key_fingerprint=bytes(range(16)), sex=rec.SEX_FEMALE)
    ident.tokens.add(kind=rec.TOKEN_KIND_PHONE, token=bytes([seed]) * 32)
    for field, size in [(rec.ENCODED_FIELD_GIVEN_NAME, 64),
                        (rec.ENCODED_FIELD_FAMILY_NAME, 64),
                        (rec.ENCODED_FIELD_RECORD, 128)]:
        ident.encodings.add(field=field, bloom_filter=bytes([seed]) * size)
    return ident


def make_incident(force, record_id, suspect_seed, victim_seed, month=6):
    """An incident of `force`: suspect and victim identities are the same for the same seeds."""
    from crossforce.v1 import records_pb2 as rec
    x = rec.IncidentRecord(version=1, main_offence=rec.OFFENCE_CODE_HARASSMENT,
                           location_district="M1", handling_code=rec.HANDLING_CODE_C)
    x.key.force_code = force
    x.key.record_id = record_id
    x.offence_date.year, x.offence_date.month, x.offence_date.day = 2025, month, 1
    x.review_date.year, x.review_date.month, x.review_date.day = 2031, 6, 1
    x.included_offences.append(rec.OFFENCE_CODE_STALKING)
    x.behaviours.extend([rec.BEHAVIOUR_LOITERING, rec.BEHAVIOUR_ONLINE_CONTACT])
    x.parties.add(role=rec.PARTY_ROLE_SUSPECT, nominal_ref="P-%d" % suspect_seed,
                  identity=make_identity(suspect_seed))
    x.parties.add(role=rec.PARTY_ROLE_VICTIM, nominal_ref="P-%d" % victim_seed,
                  identity=make_identity(victim_seed))
    return rec.Record(incident=x)


class ForeignClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        generate_stubs(cls.tmp.name)
        cls.server = subprocess.Popen(
            [SERVER, "--listen=127.0.0.1:0", "--insecure",
             "--data_dir=" + os.path.join(cls.tmp.name, "db")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.server.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError("server did not start: " + line + cls.server.stderr.read())
        cls.address = line.split("listening on ")[1].split()[0]
        import grpc
        cls.channel = grpc.insecure_channel(cls.address)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        if cls.server.poll() is None:
            cls.server.kill()
            cls.server.wait()
        cls.tmp.cleanup()

    def test_health_is_serving(self):
        import health_pb2, health_pb2_grpc
        stub = health_pb2_grpc.HealthStub(self.channel)
        for service in ["", "crossforce.v1.IngestService"]:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING, service)

    def test_reflection_lists_and_describes_services(self):
        import reflection_pb2, reflection_pb2_grpc
        from google.protobuf import descriptor_pb2
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        requests = [reflection_pb2.ServerReflectionRequest(list_services=""),
                    reflection_pb2.ServerReflectionRequest(
                        file_containing_symbol="grpc.health.v1.Health"),
                    reflection_pb2.ServerReflectionRequest(
                        file_containing_symbol="crossforce.v1.IngestService")]
        replies = list(stub.ServerReflectionInfo(iter(requests), timeout=10))
        names = {s.name for s in replies[0].list_services_response.service}
        self.assertIn("crossforce.v1.IngestService", names)
        self.assertIn("grpc.health.v1.Health", names)
        for reply, symbol in [(replies[1], "Health"), (replies[2], "IngestService")]:
            files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                     for b in reply.file_descriptor_response.file_descriptor_proto]
            services = {s.name for f in files for s in f.service}
            self.assertIn(symbol, services)

    def test_stream_ingest_from_python(self):
        from crossforce.v1 import ingest_service_pb2 as svc
        from crossforce.v1 import ingest_service_pb2_grpc as svc_grpc
        from crossforce.v1 import records_pb2 as rec
        stub = svc_grpc.IngestServiceStub(self.channel)

        incident = lambda record_id: make_incident("GMP", record_id, 1, 2)
        bad = incident("PY-2")
        bad.incident.behaviours.append(99)  # a number no version of the contract defines
        batch = svc.StreamIngestRequest(records=[incident("PY-1"), bad])
        reply = stub.StreamIngest(iter([batch]), timeout=30)
        self.assertEqual(reply.counts.created, 1)
        self.assertEqual(reply.counts.rejected, 1)
        self.assertEqual(reply.results[1].violations[0].field, "incident.behaviours[2]")
        self.assertIn("unknown behaviour 99", reply.results[1].violations[0].reason)

        got = stub.GetRecord(svc.GetRecordRequest(
            kind=rec.RECORD_KIND_INCIDENT, key=rec.RecordKey(force_code="GMP", record_id="PY-1")),
            timeout=10)
        self.assertEqual(got.record, incident("PY-1"))

    def test_flags_and_watch_from_python(self):
        from crossforce.v1 import flag_service_pb2 as flags
        from crossforce.v1 import flag_service_pb2_grpc as flags_grpc
        from crossforce.v1 import ingest_service_pb2 as svc
        from crossforce.v1 import ingest_service_pb2_grpc as svc_grpc
        ingest = svc_grpc.IngestServiceStub(self.channel)
        stub = flags_grpc.FlagServiceStub(self.channel)
        # Subscribe first; the call is live once its initial metadata has arrived.
        watch = stub.WatchFlags(flags.WatchFlagsRequest(force_code="WMP"), timeout=30)
        watch.initial_metadata()
        reply = ingest.BatchUpsertRecords(svc.BatchUpsertRecordsRequest(records=[
            make_incident("WMP", "WMP-1", 50, 51, month=3),
            make_incident("WYP", "WYP-1", 50, 51, month=5)]), timeout=30)
        self.assertEqual(reply.counts.created, 2)
        alert = next(watch)
        self.assertIn("WMP", alert.flag.forces)
        self.assertEqual(alert.flag.state, flags.FLAG_NEW)
        watch.cancel()

        listed = stub.ListFlags(flags.ListFlagsRequest(pattern=flags.CROSS_FORCE_REPEAT),
                                timeout=10)
        cross = [f for f in listed.flags if list(f.forces) == ["WMP", "WYP"]]
        self.assertEqual(len(cross), 1)
        flag = cross[0]
        self.assertEqual([e.record.record_id for e in flag.evidence], ["WMP-1", "WYP-1"])
        self.assertEqual(flag.score, sum(f.points for f in flag.factors))
        decided = stub.RecordDecision(flags.RecordDecisionRequest(
            flag_id=flag.flag_id, outcome=flags.ACCEPTED, user="py.analyst", reason="checked"),
            timeout=10)
        self.assertEqual(decided.decision.user, "py.analyst")
        profile = stub.GetEntityProfile(
            flags.GetEntityProfileRequest(entity_id=flag.entity_id), timeout=10)
        self.assertEqual(len(profile.records), 2)

    def test_zz_sigterm_stops_cleanly(self):
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=60), 0)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
