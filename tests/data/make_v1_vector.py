#!/usr/bin/env python3
"""Produces tests/data/v1-env-key.* : a unobin v1 envelope sealed by an implementation
independent of sealstate (Python's `cryptography` AESGCM and `json`), so the C++ tests prove
sealstate reads what another implementation of the format writes.

The key is 32 bytes 0x00..0x1f (test-only, public): base64 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
Run:  python3 tests/data/make_v1_vector.py   (rewrites the files; the nonce is random)
"""
import base64
import json
import os
from collections import OrderedDict

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = bytes(range(32))

# The snapshot exactly as unobin's EncodeSnapshot writes it: struct fields in declaration
# order, map keys sorted, 2-space indent, trailing newline. Python's json.dumps with indent=2
# lays out objects and arrays the same way Go's MarshalIndent does.
snapshot = OrderedDict([
    ("format-version", 1),
    ("factory", OrderedDict([("name", "cluster-deploy"), ("version", "v2.0.3"),
                             ("content-revision", "abc123def456")])),
    ("stack", "prod-east-alpha"),
    ("generated-at", "2026-04-30T12:00:00Z"),
    ("entries", [OrderedDict([
        ("address", "resource.main"),
        ("entry-kind", "leaf"),
        ("category", "resource"),
        ("binding", OrderedDict([("alias", "aws"), ("kind", "vpc")])),
        ("schema-version", 1),
        ("inputs", OrderedDict(sorted({"cidr-block": "10.0.0.0/16", "tags": {"team": "net"}}.items()))),
        ("outputs", OrderedDict([("id", "vpc-abc")])),
    ])]),
])
plaintext = (json.dumps(snapshot, indent=2) + "\n").encode()

nonce = os.urandom(12)
ciphertext = nonce + AESGCM(KEY).encrypt(nonce, plaintext, None)  # nonce || ct || tag, no AAD

envelope = OrderedDict([
    ("envelope-version", 1),
    ("payload-type", "state"),
    ("encrypter", OrderedDict([("name", "env-key"), ("body", {"env-var": "UB_STATE_KEY"})])),
    ("ciphertext", base64.b64encode(ciphertext).decode()),
])

with open(os.path.join(HERE, "v1-env-key.plain.json"), "wb") as f:
    f.write(plaintext)
with open(os.path.join(HERE, "v1-env-key.json.enc"), "w") as f:
    f.write(json.dumps(envelope, indent=2) + "\n")
