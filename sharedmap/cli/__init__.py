"""The command line, `python -m sharedmap` or `sharedmap`: one module per command group."""

from sharedmap.cli.commands import main

__all__ = ["main"]
