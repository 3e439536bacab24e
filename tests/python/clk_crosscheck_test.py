#!/usr/bin/env python3
"""Cross-checks the client's record-level filter against an independent Python implementation of
clkhash's published algorithm (data61/clkhash: key_derivation.generate_key_lists with HKDF-SHA256,
comparators.NgramComparison, bloomfilter.double_hash_encode_ngrams_non_singular, bitsPerFeature k
distribution, bitarray byte order). PyPI is not reachable here, so clkhash itself cannot run; this
test pins our bits to the algorithm as clkhash documents it.

  clk_crosscheck_test.py CROSSFORCE_BINARY
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI = sys.argv[1]


def hkdf_sha256(ikm, salt, info, length):
    """RFC 5869, as the `cryptography` package that clkhash uses implements it."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def ngrams(word, n):
    word = " " * (n - 1) + word + " " * (n - 1)
    return [word[i:i + n] for i in range(len(word) - n + 1)]


def ks(bits_per_feature, count):
    k, residue = bits_per_feature // count, bits_per_feature % count
    return [k + 1] * residue + [k] * (count - residue)


def encode(tokens, key_sha1, key_md5, token_ks, l, bits):
    for m, k in zip(tokens, token_ks):
        m_bytes = m.encode("utf-8")
        h1 = int.from_bytes(hmac.new(key_sha1, m_bytes, hashlib.sha1).digest(), "big") % l
        h2 = int.from_bytes(hmac.new(key_md5, m_bytes, hashlib.md5).digest(), "big") % l
        i = 0
        while h2 == 0:
            h2 = int.from_bytes(hmac.new(key_md5, m_bytes + chr(i).encode(), hashlib.md5).digest(),
                                "big") % l
            i += 1
        for j in range(k):
            bits[(h1 + j * h2) % l] = 1


class ClkCrossCheck(unittest.TestCase):
    def test_record_filter_matches_clkhash_algorithm(self):
        with tempfile.TemporaryDirectory() as tmp:
            key = os.path.join(tmp, "k.key")
            subprocess.run([CLI, "keygen", "--out", key], check=True, capture_output=True)
            schema_out = subprocess.run([CLI, "schema", "--key", key], check=True,
                                        capture_output=True, text=True).stdout
            lines = schema_out.splitlines()
            schema = json.loads("\n".join(l for l in lines if not l.startswith("#")))
            secrets = [bytes.fromhex(l[2:]) for l in lines if l.startswith("# ") and
                       len(l) == 66]
            self.assertEqual(len(secrets), 2)

            csv = os.path.join(tmp, "wyp.csv")
            with open(csv, "w") as f:
                f.write("force_code,incident_id,offence_date,offence_code,behaviours,"
                        "location_district,suspect_ref,suspect_given_name,suspect_family_name,"
                        "suspect_dob,suspect_sex,suspect_postcode,suspect_phone,suspect_email,"
                        "suspect_vehicle,suspect_pnc,victim_ref,victim_given_name,"
                        "victim_family_name,victim_dob,victim_postcode,victim_phone,victim_email\n"
                        "WYP,I1,2024-03-01,STALKING,,,S1,bob,o'brien,01/02/1980,M,ls61ab,,,,,"
                        ",,,,,,\n")
            out = os.path.join(tmp, "wyp.jsonl")
            subprocess.run([CLI, "anonymise", "--key", key, "--force", "WYP", "--in", csv,
                            "--out", out, "--record-version", "1"], check=True,
                           capture_output=True)
            entry = json.loads(open(out).readline())
            identity = entry["record"]["incident"]["parties"][0]["identity"]
            clk = [base64.b64decode(e["bloom_filter"]) for e in identity["encodings"]
                   if e["field"] == "ENCODED_FIELD_RECORD"][0]

            kdf = schema["clkConfig"]["kdf"]
            l = schema["clkConfig"]["l"]
            features = schema["features"]
            salt, info = base64.b64decode(kdf["salt"]), base64.b64decode(kdf["info"])
            size = kdf["keySize"]
            streams = [hkdf_sha256(s, salt, info, size * len(features)) for s in secrets]
            values = {"given_name": "BOB", "family_name": "OBRIEN",
                      "date_of_birth": "19800201", "postcode": "LS61AB"}
            bits = [0] * l
            for i, feature in enumerate(features):
                tokens = ngrams(values[feature["identifier"]], feature["hashing"]["comparison"]["n"])
                k = ks(feature["hashing"]["strategy"]["bitsPerFeature"], len(tokens))
                encode(tokens, streams[0][i * size:(i + 1) * size],
                       streams[1][i * size:(i + 1) * size], k, l, bits)
            expected = bytes(int("".join(map(str, bits[b:b + 8])), 2) for b in range(0, l, 8))
            self.assertEqual(clk, expected)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
