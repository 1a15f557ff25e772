"""``python -m openbmd`` runs the command-line interface (e.g. ``python -m openbmd doctor``)."""

from openbmd.cli.main import main

main()
