"""The pipeline version: part of every cache key, so a change of output never serves old chunks."""

# Bump whenever output samples may change: it is part of every cache key.
PIPELINE_VERSION = "2"  # 2: the limiter runs after the intensity blend
