"""The command line, ``python -m sharedmap``: thin wrappers that call the library and print its answers.

Each command group registers itself in ``build_parser`` through its own ``_add_<group>`` function.
Exit codes: 0 success, 1 the input has errors (e.g. invalid rows), 2 the command or file cannot be used at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from sharedmap.errors import SharedMapError

Handler = Callable[[argparse.Namespace], int]


def print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _add_boundaries(sub: argparse._SubParsersAction) -> None:
    """`boundaries info` and `boundaries fetch` (owned by the boundaries module's author)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sharedmap", description="Shared Services Map tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_boundaries,):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except SharedMapError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
