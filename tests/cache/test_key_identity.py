"""ChunkKey's hash is computed once; a key travels to another process by its fields."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from masterstream.cache.keys import ChunkKey

CHILD = """
import pickle, sys
from masterstream.cache.keys import ChunkKey
sent = pickle.loads(sys.stdin.buffer.read())
fresh = ChunkKey(3, "sig", "2", "warm", 0.5, 7, "opus-128")
print({fresh: "found"}.get(sent, "lost"), sent.digest == fresh.digest)
"""


def test_equal_keys_hash_alike_and_keep_their_digest():
    a = ChunkKey(3, "sig", "2", "warm", 0.504, 7, "opus-128")
    b = ChunkKey(3, "sig", "2", "warm", 0.5, 7, "opus-128")
    assert a == b and hash(a) == hash(b) and a.digest == b.digest and len(a.digest) == 40
    assert ChunkKey(3, "sig", "2", "warm", 0.5, 8, "opus-128") not in {a: 1}


def test_a_pickled_key_is_found_in_a_process_with_another_hash_seed():
    key = ChunkKey(3, "sig", "2", "warm", 0.5, 7, "opus-128")
    key.digest  # noqa: B018 - cached before pickling
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD], input=pickle.dumps(key), capture_output=True, env=env,
        check=True,
    )  # fmt: skip
    assert out.stdout.decode().split() == ["found", "True"]
