"""``python -m masterstream`` runs the command line interface."""

from .cli import main

main()
