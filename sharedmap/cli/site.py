"""`python -m sharedmap site build`: the public map as a static site, from the published version (or any
version), into static/site (SHAREDMAP_SITE_DIR) or another folder to copy to a web server or CDN."""

from __future__ import annotations

import argparse
from pathlib import Path

from sharedmap.cli.output import print_json


def add_commands(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("site", help="the public map as a static site any web server or CDN can serve")
    actions = group.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="build the site of a published version and swap it in atomically")
    build.add_argument(
        "--output",
        help="the site's folder (default: SHAREDMAP_SITE_DIR, static/site); it becomes "
        "a link to the new build, the previous build kept beside it",
    )
    build.add_argument("--version", type=int, help="the store's version number (default: the published one)")
    build.add_argument(
        "--if-stale",
        action="store_true",
        help="only when the site does not already show the published version, written by this code "
        "(`dev.py start` and `serve` build it so)",
    )
    build.add_argument("--format", choices=("text", "json"), default="text")
    build.set_defaults(handler=_build)


def _build(args: argparse.Namespace) -> int:
    from sharedmap.errors import SharedMapError
    from sharedmap.publishing.dataset import seeded_store
    from sharedmap.register import load_register
    from sharedmap.site.build import live_label, rebuild_if_stale, rebuild_published, site_dir

    output = Path(args.output) if args.output else site_dir()
    if output is None and args.if_stale:
        return _report(args, {"built": False, "output": None}, "SHAREDMAP_SITE_DIR is off: no site to keep current")
    if output is None:
        raise SharedMapError("SHAREDMAP_SITE_DIR is off: give --output DIR")
    store, register = seeded_store(), load_register()
    if args.if_stale and args.version is None:
        built = rebuild_if_stale(store, output, register)
        if built is None:
            label = live_label(output)
            return _report(args, {"built": False, "output": str(output), "label": label}, f"{output} shows {label}")
    else:
        built = rebuild_published(store, register, args.version, output)
    if built is None:  # only when no output folder is given, and one always is here
        raise SharedMapError(f"the site was not built into {output}")
    lines = [
        f"built the site of {built.label} (version {built.version}) in {built.seconds} s: {built.files} files",
        f"  {built.path} -> {built.folder}",
    ]
    if built.skipped:
        lines.append(f"  {len(built.skipped)} partnership(s) could not be shown: {', '.join(built.skipped)}")
    result = {
        "built": True,
        "output": str(built.path),
        "build": str(built.folder),
        "label": built.label,
        "version": built.version,
        "files": built.files,
        "seconds": built.seconds,
        "skipped": list(built.skipped),
    }
    return _report(args, result, "\n".join(lines))


def _report(args: argparse.Namespace, result: dict, text: str) -> int:
    if args.format == "json":
        print_json(result)
    else:
        print(text)
    return 0
