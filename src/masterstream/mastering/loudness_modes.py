"""The loudness modes a request may ask for (see :mod:`masterstream.mastering.album`)."""

TRACK = "track"
"""Every track mastered to its preset's loudness target."""
ALBUM = "album"
"""One gain for the whole album: its tracks keep their level differences."""
LOUDNESS_MODES = (TRACK, ALBUM)
