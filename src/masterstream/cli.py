"""Command line interface (placeholder until the foundation lands)."""


def main() -> None:
    raise SystemExit("masterstream: not built yet")
