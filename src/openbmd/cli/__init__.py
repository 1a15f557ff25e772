"""Command-line interface (typer). Thin: every command calls the public Python API."""
