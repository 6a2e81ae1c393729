"""The Subsonic/OpenSubsonic API under ``/rest`` (see :mod:`.router`)."""
