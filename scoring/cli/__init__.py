"""The ``assess`` command (SPEC §3): a thin layer over the public API, one module per family of commands."""

from scoring.cli.main import main

__all__ = ["main"]
