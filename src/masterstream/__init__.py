"""masterstream: music mastered on the fly, streamed from an observable two-tier chunk cache."""
