"""Child process for the crash-safety test: writes entries to a DiskTier until killed.

Usage: python -m tests.cache.crash_writer <directory> <seed>
Prints "ready" after its first completed write, then keeps writing (with evictions).
"""

from __future__ import annotations

import random
import sys

from masterstream.cache import DiskTier

from .fakes import chunk_bytes, make_key


def main() -> None:
    directory, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    tier = DiskTier(directory, capacity_bytes=3_000_000, fsync=True)
    announced = False
    while True:
        key = make_key(rng.randrange(1, 4), rng.randrange(40))
        tier.put(key, chunk_bytes(key, rng.randrange(100_000, 400_000)))
        if not announced:
            print("ready", flush=True)
            announced = True


if __name__ == "__main__":
    main()
