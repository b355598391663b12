"""The command line, ``python -m sharedmap``: thin wrappers that call the library and print its answers.

Each command group registers itself in ``build_parser`` through its own ``_add_<group>`` function.
Exit codes: 0 success, 1 the input has errors (e.g. invalid rows), 2 the command or file cannot be used at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from sharedmap.cli.output import print_json
from sharedmap.errors import SharedMapError
from sharedmap.publishing import announce
from sharedmap.site import follow_publishing
from sharedmap.spatial.boundaries import FIRST_YEAR, LATEST_YEAR

if TYPE_CHECKING:  # the handlers import what they use when they run, so `--help` stays quick
    from sharedmap.register import Register, Resolution

Handler = Callable[[argparse.Namespace], int]


def fail(message: str, code: int = 2) -> int:
    from sharedmap.parsing import strip_control

    print(f"error: {strip_control(message)}", file=sys.stderr)
    return code


def _add_boundaries(sub: argparse._SubParsersAction) -> None:
    """`boundaries info` (what a boundary file holds, to check one before use) and `boundaries fetch` (download the
    manifest's missing source files, hash-checked, so a fresh checkout can run)."""
    group = sub.add_parser("boundaries", help="inspect boundary files; fetch missing source files")
    actions = group.add_subparsers(dest="action", required=True)
    info = actions.add_parser("info", help="layers, feature counts, detected code/name columns, CRS and bounds")
    info.add_argument("file", help="TopoJSON, GeoJSON, shapefile (.shp or ONS .zip) or GeoPackage")
    info.add_argument("--layer", help="only this layer (default: every layer)")
    info.add_argument("--format", choices=("text", "json"), default="text", help="json prints one object on stdout")
    info.set_defaults(handler=_boundaries_info)
    fetch = actions.add_parser(
        "fetch", help="download manifest sources missing from the search path into geo/cache/, SHA-256 checked"
    )
    fetch.add_argument("--name", help="only this source (default: every source in the manifest)")
    fetch.add_argument("--force", action="store_true", help="download even when the file is already on the search path")
    fetch.add_argument("--dest", help="folder to download into (default: geo/cache/)")
    fetch.add_argument("--manifest", help="manifest to read (default: geo/sources.json)")
    fetch.set_defaults(handler=_boundaries_fetch)


def _boundaries_info(args: argparse.Namespace) -> int:
    """Exit 1 when a layer cannot be used (its problem is printed), 0 otherwise."""
    from sharedmap.spatial.boundaries import boundary_info

    report = boundary_info(args.file, args.layer)
    if args.format == "json":
        print_json(report)
    else:
        print(f"{report['path']}: {len(report['layers'])} layer(s)")
        for layer in report["layers"]:
            detected = layer["detected_columns"] or {}
            years = "/".join(detected.get(k) or "-" for k in ("start", "end"))
            bounds = layer["bounds_4326"]
            where = "unknown" if bounds is None else "{:.4f}, {:.4f} to {:.4f}, {:.4f}".format(*bounds)
            print(f"  {layer['name']}: {layer['features']} features")
            print(f"    columns: {', '.join(layer['columns'])}")
            print(f"    code: {detected.get('code', '-')}  name: {detected.get('name', '-')}  start/end: {years}")
            print(f"    CRS: {layer['source_crs']}  bounds (lon/lat): {where}")
            if layer["problem"]:
                print(f"    problem: {layer['problem']}")
    return 1 if any(layer["problem"] for layer in report["layers"]) else 0


def _boundaries_fetch(args: argparse.Namespace) -> int:
    """Report each source found on the search path; download the missing ones; stop at the first failure."""
    import http.client
    from pathlib import Path

    from sharedmap import config, sources
    from sharedmap.errors import SourceError

    manifest_path = Path(args.manifest) if args.manifest else sources.MANIFEST_PATH
    try:
        manifest = sources.load_manifest(manifest_path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"manifest {manifest_path} cannot be read: {exc}") from exc
    chosen = [s for s in manifest if args.name in (None, s.name)]
    if not chosen:
        known = ", ".join(s.name for s in manifest)
        raise SourceError(f"no source named {args.name!r} in {manifest_path}; known: {known}")
    dest = Path(args.dest) if args.dest else sources.CACHE_DIR
    fetched = 0
    for source in chosen:
        found = None if args.force else _find_source(source.file)
        if found is not None:
            same = sources.sha256_of(found) == source.sha256
            print(f"found   {source.name}: {found} ({'checksum ok' if same else 'checksum differs from the manifest'})")
            continue
        try:
            target = sources.fetch(source, dest_dir=dest)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise SourceError(f"could not fetch {source.name} from {source.url}: {exc}") from exc
        print(f"fetched {source.name}: {target} (checksum ok)")
        fetched += 1
    if not fetched:
        print(f"All {len(chosen)} source(s) already present; nothing to fetch.")
    elif dest.resolve() not in [p.resolve() for p in config.data_search_path()]:
        print(f"note: {dest} is not on the search path; add it to SHAREDMAP_DATA_PATH to use these files.")
    return 0


def _find_source(filename: str):
    """The file's path on the search path, or None when it is missing there."""
    from sharedmap import sources
    from sharedmap.errors import SourceError

    try:
        return sources.find_file(filename)
    except SourceError:
        return None


def _add_validate(sub: argparse._SubParsersAction) -> None:
    validate = sub.add_parser("validate", help="check an officer's partnership file (CSV or XLSX) without importing it")
    validate.add_argument("file")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=_validate)
    summary = sub.add_parser("summary", help="national totals of the published partnerships, as Statistics shows them")
    summary.add_argument(
        "--year",
        type=int,
        help="partnerships active in this year (default: the map's latest year, as the Statistics page opens)",
    )
    summary.add_argument("--format", choices=("text", "json"), default="text")
    summary.set_defaults(handler=_summary)


def _validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sharedmap.cli.output import format_validation
    from sharedmap.errors import FileReadError
    from sharedmap.parsing import strip_control
    from sharedmap.validate import validate_file

    try:
        report = validate_file(args.file, filename=strip_control(Path(args.file).name))
    except FileReadError as exc:
        return fail(str(exc))
    if args.format == "json":
        payload = report.as_dict()
        payload["file"] = args.file
        print_json(payload)
    else:
        print(format_validation(report))
    return 0 if report.ok else 1


def _summary(args: argparse.Namespace) -> int:
    from sharedmap.cli.output import format_summary
    from sharedmap.filters import Filters, apply_filters
    from sharedmap.maps.viewstate import LATEST_YEAR
    from sharedmap.publishing.dataset import load_published
    from sharedmap.register import load_register
    from sharedmap.summary import national_summary

    register = load_register()
    label, published = load_published(register)
    year = args.year or LATEST_YEAR
    summary = national_summary(apply_filters(published, Filters(year=year), register), register)
    summary = {"version": label, "year": year, **summary}
    if args.format == "json":
        print_json(summary)
    else:
        print(format_summary(summary))
    return 0


def _add_councils(sub: argparse._SubParsersAction) -> None:
    """`councils resolve NAME...` (how the app would read a written council name) and `councils list` (the register's
    councils, filtered by year or current only)."""
    group = sub.add_parser("councils", help="look up councils in the register; resolve written names")
    actions = group.add_subparsers(dest="action", required=True)
    resolve = actions.add_parser("resolve", help="resolve names, GSS codes or register ids; exit 1 if any fail")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--format", choices=("text", "json"), default="text")
    resolve.set_defaults(handler=_councils_resolve)
    listing = actions.add_parser("list", help="every council in the register, current and former")
    listing.add_argument("--current", action="store_true", help="only councils that exist today")
    listing.add_argument("--year", type=int, help="only councils that existed on 1 April of this year")
    listing.add_argument("--format", choices=("text", "json", "csv"), default="text")
    listing.set_defaults(handler=_councils_list)


def _councils_resolve(args: argparse.Namespace) -> int:
    from sharedmap.errors import CouncilNotFoundError
    from sharedmap.register import load_register

    register = load_register()
    records: list[dict[str, object]] = []  # for --format json
    lines: list[str] = []  # for --format text
    for name in args.names:
        try:
            resolution = register.resolve(name)
        except CouncilNotFoundError as exc:
            records.append({"input": name, "error": str(exc), "suggestions": exc.suggestions})
            lines.append(f"{name} -> not resolved: {exc}")
            continue
        records.append(register.resolution_record(resolution))
        lines.append(_resolution_line(resolution, register))
    if args.format == "json":
        print_json(records)
    else:
        for line in lines:
            print(line)
    return 1 if any("error" in record for record in records) else 0


def _resolution_line(resolution: Resolution, register: Register) -> str:
    """One resolved name as text: the council, how it was found and, for a former council, who took it over."""
    council = resolution.council
    line = f"{resolution.input} -> {council.name} ({council.id}, {council.gss or 'no GSS code'}, {council.type}) "
    line += f"{resolution.method} {resolution.confidence:.2f}"
    if council.end is not None:  # a former council
        successors = [c.name for c in register.current_successors(council.id)]
        line += f"; former, ended {council.end.isoformat()}, now " + (" and ".join(successors) or "no successor")
    return line


def _councils_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sharedmap.register import load_register

    register = load_register()
    councils = register.in_year(args.year) if args.year else list(register.councils.values())
    councils = sorted((c for c in councils if c.current or not args.current), key=lambda c: c.id)
    if args.format == "csv":
        frame = register.to_frame()
        frame[frame["id"].isin({c.id for c in councils})].sort_values("id").to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print_json([asdict(c) | {"current": c.current} for c in councils])
    else:
        for c in councils:
            former = "" if c.current else f"  (former, ended {c.end})"
            print(f"{c.id:<5} {c.gss or '-':<10} {c.type:<25} {c.name}{former}")
    return 0


def _add_assets(sub: argparse._SubParsersAction) -> None:
    """`assets install` and `assets check`: the map's browser files (Leaflet, topojson-client), pinned and hash-checked,
    which the app serves itself so that no visitor's browser fetches code from a third party."""
    group = sub.add_parser("assets", help="the browser files the map serves itself (Leaflet, topojson-client)")
    actions = group.add_subparsers(dest="action", required=True)
    install = actions.add_parser(
        "install",
        help="fetch them from the npm registry into static/vendor/ (integrity "
        "checked); does nothing when already there",
    )
    install.add_argument("--force", action="store_true", help="fetch again even when installed")
    install.set_defaults(handler=_assets_install)
    check = actions.add_parser("check", help="exit 1 when a file the map needs is missing")
    check.set_defaults(handler=_assets_check)


def _assets_install(args: argparse.Namespace) -> int:
    from sharedmap.maps import assets

    done = assets.install(force=args.force)
    print(f"installed {', '.join(done)} into {assets.VENDOR_DIR}" if done else "map assets already installed")
    return 0


def _assets_check(args: argparse.Namespace) -> int:
    from sharedmap.maps import assets

    problem = assets.missing_message()
    if problem:
        return fail(problem, 1)
    print(f"map assets present: {', '.join(f'{k}@{v}' for k, v in assets.installed_versions().items())}")
    return 0


def _add_recommend(sub: argparse._SubParsersAction) -> None:
    """`recommend COUNCIL [--why-not OTHER]`, `recommend --backtest` and `recommend --fit` (find a partner)."""
    recommend = sub.add_parser(
        "recommend", help="ranked councils to share a service with, with reasons; or --backtest, or --fit"
    )
    recommend.add_argument("council", nargs="?", help="a council's name, GSS code or register id")
    recommend.add_argument("--service", help="the service to share (default: any)")
    recommend.add_argument("--top", type=int, default=10, help="how many suggestions (default: 10)")
    recommend.add_argument(
        "--year",
        type=int,
        default=LATEST_YEAR,
        help=f"councils and boundaries of this year ({FIRST_YEAR}-{LATEST_YEAR})",
    )
    recommend.add_argument(
        "--why-not",
        dest="why_not",
        metavar="OTHER",
        help="where OTHER ranks for COUNCIL and which reasons keep it down",
    )
    recommend.add_argument(
        "--backtest",
        action="store_true",
        help="measure the rankings on the real partnerships: learned model (out of fold), hand "
        "weights, distance, county then distance; hit@1/5/10 and MRR with 95%% intervals",
    )
    recommend.add_argument(
        "--fit",
        action="store_true",
        help="fit the learned weights on the published partnerships and write the model file",
    )
    recommend.add_argument(
        "--model", help="model file to read or (with --fit) write (default: sharedmap/partners/model.json)"
    )
    recommend.add_argument("--format", choices=("text", "json"), default="text")
    recommend.set_defaults(handler=_recommend)


def _recommend(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sharedmap.partners import model as learned
    from sharedmap.partners.backtest import collect_cases, format_backtest, run_backtest
    from sharedmap.partners.explain import (
        councils_like_yours,
        format_recommendation,
        format_why_not,
        shared_at_a_distance,
        why_not,
    )
    from sharedmap.partners.recommend import build_context, council_for, find_partners, resolve_service
    from sharedmap.publishing.dataset import load_published
    from sharedmap.register import load_register

    if sum((bool(args.council), args.backtest, args.fit)) != 1:
        return fail("give either a council, --backtest or --fit")
    if args.top < 1:
        return fail(f"--top must be at least 1 (got {args.top})")
    path = Path(args.model) if args.model else learned.MODEL_PATH
    register = load_register()
    version, partnerships = load_published(register)
    if args.backtest:
        result = run_backtest(partnerships, register)
        if args.format == "json":
            print_json(result.as_dict())
        else:
            print(format_backtest(result))
        return 0
    if args.fit:
        cases, _skipped = collect_cases(partnerships, register)
        fitted = learned.fit_model([c.training for c in cases], data_version=version)
        learned.save_model(fitted, path)
        print(f"fitted on {fitted.partnerships} partnerships ({fitted.cases} cases) of version {version}; wrote {path}")
        return 0
    model = learned.load_model(path)
    service = resolve_service(args.service)
    context = build_context(partnerships, register, args.year)
    council, note = council_for(context, args.council)
    found = find_partners(context, council.id, service, args.top, note=note, model=model)
    like = councils_like_yours(context, council.id, service, args.top) if shared_at_a_distance(service) else []
    answer = why_not(context, council.id, args.why_not, service, model, args.top) if args.why_not else None
    if args.format == "json":
        print_json({**found.as_dict(), "councils_like_yours": like, "why_not": answer.as_dict() if answer else None})
    elif answer:
        print(format_why_not(answer))
    else:
        print(format_recommendation(found, like))
    return 0


def _add_workflow(sub: argparse._SubParsersAction) -> None:
    """`users`, `import`, `submissions`, `approve`, `reject`, `history`, `rollback`, `export`: the officer's path on
    the store, kept in sharedmap/cli/officers.py."""
    from sharedmap.cli.officers import add_commands

    add_commands(sub)


def _add_upkeep(sub: argparse._SubParsersAction) -> None:
    """`confirm`, `reports`, `reminders`: keeping the map true, kept in sharedmap/cli/upkeep.py."""
    from sharedmap.cli.upkeep import add_commands

    add_commands(sub)


def _add_site(sub: argparse._SubParsersAction) -> None:
    """`site build`: the public map as a static site, kept in sharedmap/cli/site.py."""
    from sharedmap.cli.site import add_commands

    add_commands(sub)


def _add_data(sub: argparse._SubParsersAction) -> None:
    """`data check`: the data-quality report, kept in sharedmap/cli/data_check.py."""
    from sharedmap.cli.data_check import add_commands

    add_commands(sub)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    """`serve` (the app as a production service) and `health` (is this copy able to serve?): sharedmap/cli/serve.py."""
    serve = sub.add_parser("serve", help="run the app for production: headless, XSRF on, uploads capped, event log")
    serve.add_argument("--port", type=int, help="TCP port (default: SHAREDMAP_PORT, 8501)")
    serve.add_argument("--address", help="address to listen on (default: SHAREDMAP_ADDRESS, 127.0.0.1)")
    serve.add_argument("--dry-run", action="store_true", help="run the checks and print the command, do not start")
    serve.set_defaults(handler=_serve)
    health = sub.add_parser("health", help="check the store, map assets and source files (and a running copy)")
    health.add_argument("--url", help="also ask a running copy, e.g. http://127.0.0.1:8501 (its /_stcore/health)")
    health.add_argument("--format", choices=("text", "json"), default="text")
    health.set_defaults(handler=_health)


def _serve(args: argparse.Namespace) -> int:
    from sharedmap.cli.serve import serve

    return serve(args.port, args.address, args.dry_run)


def _health(args: argparse.Namespace) -> int:
    """Exit 0 when every check passes, 1 when one fails (for a monitor, a container HEALTHCHECK or a script)."""
    from sharedmap.cli.serve import checks_as_dict, health

    checks = health(args.url)
    if args.format == "json":
        print_json(checks_as_dict(checks))
    else:
        for check in checks:
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return 0 if all(c.ok for c in checks) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sharedmap", description="Shared Services Map tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_boundaries,
        _add_validate,
        _add_councils,
        _add_assets,
        _add_recommend,
        _add_workflow,
        _add_upkeep,
        _add_data,
        _add_site,
        _add_serve,
    ):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    follow_publishing()  # a publish or rollback rebuilds the static site
    try:
        return args.handler(args)
    except SharedMapError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # output piped into `head` and cut short: not an error worth a traceback
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    finally:
        announce.wait()  # the site rebuild a publish started finishes before the command exits
