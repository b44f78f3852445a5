"""The `corpusclean` command: thin functions over the public API.

Data goes to files (or stdout with `-o -`); progress and the summary go to stderr. An
error is one line, no traceback: exit 2 for usage or configuration, 1 for a failed run,
3 for a run that completed without some named inputs, 128 + N when stopped by signal N.
"""

from __future__ import annotations

import argparse
import signal
import sys
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .config import Config, ConfigOption, coerce, config_options
from .errors import ConfigError, CorpuscleanError

PROG = "corpusclean"
# Exit codes (docs/failure-modes.md). Bad records never change the code: they are in errors.jsonl.
EXIT_OK = 0
EXIT_FAILED = 1  # the run could not start or failed (nothing readable, output not writable)
EXIT_USAGE = 2  # bad options or configuration
EXIT_INPUTS_MISSING = 3  # the run completed, but some named inputs did not exist


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message}\n")


def _dest(item: ConfigOption) -> str:
    return f"cfg__{item.section}__{item.name}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every config field is an option of `clean`."""
    parser = _Parser(prog=PROG, description="Clean, de-duplicate and explain text corpora.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    clean = commands.add_parser(
        "clean",
        help="Clean and de-duplicate documents into an output directory.",
        description="Clean and de-duplicate documents: writes documents.jsonl, dropped.jsonl, "
        "errors.jsonl and report.json into OUT. Exit codes: 0 done, 1 failed, 2 bad usage or config, "
        "3 done but some named inputs were missing, 130/143 interrupted (docs/failure-modes.md).",
    )
    clean.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="Files or directories to read (.txt, .jsonl[.gz|.zst], .parquet); - reads JSONL from stdin.",
    )
    clean.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="Output directory (- writes documents to stdout)."
    )
    clean.add_argument(
        "--config", metavar="FILE", help="TOML configuration file; options given here override it."
    )
    clean.add_argument("-q", "--quiet", action="store_true", help="No progress bar and no summary on stderr.")
    for item in config_options():
        _add_config_option(clean, item)
    clean.set_defaults(handler=_clean)

    explain = commands.add_parser(
        "explain",
        help="Show what a run did to one document.",
        description="Show what a run did to one document: a kept one with every removed span in place, "
        "marked [-removed: REASON RULE EVIDENCE-]...[-] (coloured on a terminal); a dropped one with its "
        "reason and evidence; a duplicate beside the document that was kept.",
    )
    explain.add_argument("out_dir", metavar="OUT", help="Output directory of a `corpusclean clean` run.")
    explain.add_argument("doc_id", metavar="DOC_ID", help="Id of the document to explain.")
    explain.add_argument("--html", metavar="FILE", help="Also write the view as a self-contained HTML page.")
    explain.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="Colour the view: auto (when stdout is a terminal), always or never (default: auto).",
    )
    explain.set_defaults(handler=_explain)

    report = commands.add_parser(
        "report",
        help="Rebuild report.html from an earlier run's outputs.",
        description="Rebuild report.html from the outputs (documents, dropped, errors, report.json) of an "
        "earlier `corpusclean clean` run.",
    )
    report.add_argument("out_dir", metavar="OUT", help="Output directory of a `corpusclean clean` run.")
    report.add_argument(
        "-o", "--output", metavar="FILE", help="Where to write the page (default: OUT/report.html)."
    )
    report.set_defaults(handler=_report)

    index = commands.add_parser(
        "index",
        help="Inspect or convert a persistent dedup index (--index).",
        description="Inspect a persistent dedup index, or convert it between its two stores: an SQLite "
        "file (the one-machine default) and a Parquet directory (what --engine dask reads and appends).",
    )
    actions = index.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True)
    info = actions.add_parser(
        "info",
        help="Print the index's store, settings, runs and document count.",
        description="Print the index's store (SQLite or Parquet), its settings, runs and document count.",
    )
    info.add_argument("path", metavar="INDEX", help="Index file or directory.")
    info.set_defaults(handler=_index_info)
    convert = actions.add_parser(
        "convert",
        help="Copy an index into a new one of the other store (same settings, same decisions).",
        description="Copy every document of INDEX into TARGET: a directory (ending with / or .parquet) "
        "becomes a Parquet index, any other path an SQLite file. Runs against either decide the same.",
    )
    convert.add_argument("path", metavar="INDEX", help="Existing index file or directory.")
    convert.add_argument("target", metavar="TARGET", help="New index path.")
    convert.set_defaults(handler=_index_convert)
    return parser


def _add_config_option(parser: argparse.ArgumentParser, item: ConfigOption) -> None:
    kwargs: dict[str, Any] = {"dest": _dest(item), "default": argparse.SUPPRESS}
    default = f" (default: {_show(item.default)})"
    if item.type is bool:
        kwargs["action"] = argparse.BooleanOptionalAction
        kwargs["help"] = item.help + default
    else:
        kwargs["metavar"] = item.name.upper()
        kwargs["help"] = item.help + default
        if typing.get_origin(item.type) is tuple:
            kwargs["action"] = "append"  # repeatable; each value may also be a comma list
        if item.choices:
            kwargs["choices"] = item.choices
    parser.add_argument(item.flag, **kwargs)


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "none"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def config_from_args(args: argparse.Namespace) -> Config:
    """Defaults, then the TOML file, then the options given on the command line."""
    config = Config.from_toml(args.config) if getattr(args, "config", None) else Config()
    changes: dict[str, dict[str, Any]] = {}
    for item in config_options():
        dest = _dest(item)
        if hasattr(args, dest):
            raw = getattr(args, dest)
            if isinstance(raw, list):
                raw = ",".join(raw)
            value = coerce(raw, item.type, item.flag)
            changes.setdefault(item.section, {})[item.name] = value
    for section, values in changes.items():
        try:
            config = config.replace(section, **values)
        except (TypeError, ValueError) as error:
            raise ConfigError(str(error)) from None
    return config


def _clean(args: argparse.Namespace) -> int:
    from .runner import interruptible, output_name, run

    config = config_from_args(args)
    if args.quiet:
        config = config.replace("run", progress=False)
    with interruptible():
        if config.engine.engine == "dask":
            stats = _run_dask(args.inputs, args.out, config)
        else:
            stats = run(args.inputs, args.out, config, progress=config.run.progress)
    if not args.quiet:
        print(stats.summary(), file=sys.stderr)
        if config.engine.engine == "dask":
            print(f"  wrote {Path(args.out) / 'documents-*'} and the ledger beside it", file=sys.stderr)
        elif args.out != "-":
            written = Path(args.out) / output_name("documents", config.output)
            print(f"  wrote {written} and the ledger beside it", file=sys.stderr)
        if args.out != "-":
            print(f"  report: {Path(args.out) / 'report.html'}", file=sys.stderr)
    for path in stats.inputs_missing:  # already made printable by the reader
        print(
            f"{PROG}: error: {path}: no such file or directory (other inputs were cleaned)",
            file=sys.stderr,
        )
    return EXIT_INPUTS_MISSING if stats.inputs_missing else EXIT_OK


def _run_dask(inputs: Sequence[str], out: str, config: Config) -> Any:
    try:
        from .dask import run as run_dask
    except ImportError:
        raise ConfigError("--engine dask needs the dask extra: pip install 'corpusclean[dask]'") from None
    return run_dask(inputs, out, config)


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain
    from .reporting.html import write_text_atomic

    explanation = explain(args.out_dir, args.doc_id)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if colour:
        from rich.console import Console

        explanation.print_rich(Console(force_terminal=True, highlight=False))
    else:
        sys.stdout.write(explanation.to_text())
    if args.html:
        write_text_atomic(Path(args.html), explanation.to_html())
    return 0


def _report(args: argparse.Namespace) -> int:
    from .reporting import rebuild_report

    path = rebuild_report(args.out_dir, args.output)
    print(f"{PROG}: wrote {path}", file=sys.stderr)
    return 0


def _index_info(args: argparse.Namespace) -> int:
    from .index import open_index

    with open_index(args.path) as store:
        print(f"index: {store.path} ({type(store).__name__})")
        print(f"documents: {len(store)}; runs so far: {store.run - 1}")
        for key, value in sorted(store.manifest.items()):
            print(f"  {key} = {value}")
    return 0


def _index_convert(args: argparse.Namespace) -> int:
    from .index import convert_index

    count = convert_index(args.path, args.target)
    print(f"{PROG}: copied {count} documents from {args.path} to {args.target}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `corpusclean` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except ConfigError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CorpuscleanError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as error:
        # 128 + signal number, as shells report a process killed by that signal.
        signum = getattr(error, "signum", signal.SIGINT)
        name = signal.Signals(signum).name
        print(
            f"{PROG}: interrupted by {name}; no output of this run was completed (run the command again)",
            file=sys.stderr,
        )
        return 128 + signum
    except BrokenPipeError:
        return EXIT_FAILED


def markdown_reference() -> str:
    """The CLI reference (docs/cli.md), generated from the parser so the two never drift."""
    parser = build_parser()
    lines = [
        "# CLI reference",
        "",
        "Generated from `corpusclean --help`; a test keeps this page and the parser in step.",
        'Regenerate with `python -c "from corpusclean.cli import markdown_reference as m; '
        "open('docs/cli.md','w').write(m())\"`.",
        "",
        "Every option of `clean` can also be set in a TOML file given with `--config`: the option",
        "`--SECTION-FIELD` (or its short name below) is `FIELD = ...` under `[SECTION]`.",
        "",
    ]
    lines += _commands_reference(parser, PROG)
    return "\n".join(lines)


def _commands_reference(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    """A section per command (and per action of a command with actions, such as `index`)."""
    lines: list[str] = []
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sections = {_dest(item): f"`[{item.section}] {item.name}`" for item in config_options()}
    for name, sub in subparsers.choices.items():
        nested = any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
        lines += [f"## `{prefix} {name}`", "", sub.description or "", ""]
        if nested:
            lines += _commands_reference(sub, f"{prefix} {name}")
            continue
        lines += ["| option | TOML | help |", "|---|---|---|"]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            flags = ", ".join(f"`{s}`" for s in action.option_strings) or f"`{action.metavar or action.dest}`"
            toml = sections.get(action.dest, "")
            text = (action.help or "").replace("|", "\\|")
            lines.append(f"| {flags} | {toml} | {text} |")
        lines.append("")
    return lines


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
