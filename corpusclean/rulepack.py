"""Declarative boilerplate rule packs: load, validate strictly, and apply them to a document.

A rule pack is data, not code: a TOML file of `[[rule]]` tables, each naming a regular
expression, where it applies (line or paragraph, head/tail/anywhere) and what happens to
what it matches (drop it, or move it into a metadata field). Packs ship inside the package
(`corpusclean/rules/*.toml`) and users add their own; a bad pack stops the run before the
first document with an error naming the file, the rule and the problem.

Patterns run on the `regex` module with a timeout, so a user's pattern that backtracks
catastrophically on a hostile page costs one bounded attempt, is reported, and the rule is
skipped for that document instead of hanging the run.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from .document import Reason, Span
from .errors import ConfigError
from .normalize import fingerprint
from .segment import Segment, SegmentedText

SCOPES = ("line", "paragraph")
POSITIONS = ("head", "tail", "anywhere")
ACTIONS = ("drop", "extract", "extract-keep")
TARGETS = ("display", "fingerprint")
EXTENTS = ("segment", "match")
RULE_REASONS = (Reason.BOILERPLATE, Reason.CREDIT, Reason.EMBED, Reason.METADATA)
# Metadata the pipeline itself writes; a rule moving text there would corrupt the record.
RESERVED_FIELDS = frozenset({"removed", "chars_in", "chars_out", "path", "id", "text", "rule_timeouts"})
# An embedded post's text is short (a tweet is at most 280 characters plus a link); a longer
# line before an attribution is article text, never taken along.
EMBED_TEXT_MAX_CHARS = 320

_RULE_NAME = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FIELD_NAME = regex.compile(r"[a-z_][a-z0-9_]*")
_RULE_KEYS = frozenset(
    {
        "name",
        "description",
        "pattern",
        "on",
        "scope",
        "position",
        "window",
        "extent",
        "action",
        "field",
        "value",
        "reason",
        "source",
        "ignore_case",
        "max_chars",
        "previous_lines",
        "examples",
        "counter_examples",
        "requires",
    }
)
_PACK_KEYS = frozenset({"name", "description", "lang"})

SHIPPED_PACKS = ("web", "fr-news", "en-news")


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated rule of a pack; `matcher` is its compiled pattern."""

    name: str
    pattern: str
    pack: str
    on: str = "display"
    scope: str = "line"
    position: str = "anywhere"
    window: int = 3
    extent: str = "segment"
    action: str = "drop"
    field: str | None = None
    value: str | None = None
    reason: Reason = Reason.BOILERPLATE
    source: tuple[str, ...] = ()
    ignore_case: bool = False
    max_chars: int = 400
    previous_lines: int = 0
    description: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    # Words one of which every match contains (lower-cased with `ignore_case`): segments
    # holding none are not tested. A speed hint for costly patterns, checked on the examples.
    requires: tuple[str, ...] = ()
    matcher: Any = dataclasses.field(default=None, compare=False, repr=False)
    # Shipped rules are written to run in linear time and the test suite feeds every one
    # 100 KB adversarial lines; they skip the timeout guard, which costs ~40% of matching.
    trusted: bool = dataclasses.field(default=False, compare=False)

    def may_match(self, probe: str) -> bool:
        """False when `probe` (the subject, through `case_probe` with `ignore_case`) holds no required word."""
        return not self.requires or any(word in probe for word in self.requires)

    def matches(self, subject: str, timeout: float | None = None) -> Any:
        """The match of this rule on one segment's text (or None); may raise TimeoutError."""
        if self.extent == "segment":
            return self.matcher.fullmatch(subject, timeout=timeout)
        return self.matcher.search(subject, timeout=timeout)

    def applies_to(self, source: str | None) -> bool:
        """True when the rule has no source restriction or `source` matches one of its globs."""
        if not self.source:
            return True
        if source is None:
            return False
        folded = source.casefold()
        return any(fnmatch.fnmatchcase(folded, glob.casefold()) for glob in self.source)

    def value_of(self, match: Any, previous: str | None) -> Any:
        """What an extracting rule moves into metadata for one match."""
        if self.value == "*":
            out: dict[str, Any] = {k: v.strip() for k, v in match.groupdict().items() if v is not None}
            if self.previous_lines:
                out["text"] = previous
            return out
        if self.value is not None:
            return (match.group(self.value) or "").strip()
        if "value" in self.matcher.groupindex:
            return (match.group("value") or "").strip()
        return match.group(0).strip()


@dataclass(frozen=True, slots=True)
class RulePack:
    """A named, validated list of rules read from one TOML file."""

    name: str
    path: str
    rules: tuple[Rule, ...]
    description: str = ""


def load_pack(path: str | Path, *, label: str | None = None) -> RulePack:
    """Read and validate a rule pack file; any problem is a `ConfigError` naming file and rule."""
    where = label or str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: rule pack not found") from None
    except OSError as error:
        raise ConfigError(f"{where}: cannot read rule pack: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: rule pack is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: invalid TOML: {error}") from None
    return parse_pack(data, where, default_name=Path(path).stem)


def shipped_pack(name: str) -> RulePack:
    """One of the packs shipped inside the package (`web`, `fr-news`, `en-news`)."""
    if name not in SHIPPED_PACKS:
        known = ", ".join(SHIPPED_PACKS)
        raise ConfigError(f"unknown shipped rule pack {name!r} (known: {known})")
    resource = resources.files("corpusclean") / "rules" / f"{name}.toml"
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    pack = parse_pack(data, f"corpusclean/rules/{name}.toml", default_name=name)
    trusted = tuple(dataclasses.replace(rule, trusted=True) for rule in pack.rules)
    return dataclasses.replace(pack, rules=trusted)


def parse_pack(data: Mapping[str, Any], where: str, *, default_name: str) -> RulePack:
    """Validate the parsed TOML of a pack (a `[pack]` table and `[[rule]]` tables)."""
    for key in data:
        if key not in ("pack", "rule"):
            raise ConfigError(f"{where}: unknown key {key!r} (a pack has [pack] and [[rule]] tables)")
    header = data.get("pack", {})
    if not isinstance(header, Mapping):
        raise ConfigError(f"{where}: [pack] must be a table")
    for key in header:
        if key not in _PACK_KEYS:
            raise ConfigError(f"{where}: [pack]: unknown key {key!r}")
    name = header.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: [pack]: name must be a non-empty string")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, Mapping) for r in raw_rules):
        raise ConfigError(f"{where}: rules must be [[rule]] tables")
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_rules, start=1):
        rule = parse_rule(raw, where, pack=name, number=number)
        if rule.name in seen:
            raise ConfigError(f'{where}: rule "{rule.name}": name used twice in this pack')
        seen.add(rule.name)
        rules.append(rule)
    return RulePack(name, where, tuple(rules), str(header.get("description", "")))


def parse_rule(raw: Mapping[str, Any], where: str, *, pack: str, number: int) -> Rule:
    """Validate one `[[rule]]` table; errors read `FILE: rule "NAME": problem`."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f'{where}: rule #{number}: missing "name"')
    here = f'{where}: rule "{name}"'
    if not _RULE_NAME.fullmatch(name):
        raise ConfigError(f"{here}: name must be kebab-case (lowercase letters, digits and -)")
    for key in raw:
        if key not in _RULE_KEYS:
            raise ConfigError(f"{here}: unknown field {key!r}")

    def text(key: str, default: str | None = None) -> str | None:
        value = raw.get(key, default)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{here}: {key!r} must be a string")
        return value

    def choice(key: str, allowed: Sequence[str], default: str) -> str:
        value = text(key, default)
        if value is None or value not in allowed:
            raise ConfigError(f"{here}: {key!r} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def integer(key: str, default: int, minimum: int) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{here}: {key!r} must be an integer")
        if value < minimum:
            raise ConfigError(f"{here}: {key!r} must be at least {minimum}")
        return value

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{here}: {key!r} must be a string or a list of strings")
        return tuple(value)

    pattern = text("pattern")
    if not pattern:
        raise ConfigError(f'{here}: missing "pattern"')
    ignore_case = raw.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise ConfigError(f"{here}: 'ignore_case' must be true or false")
    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    try:
        matcher = regex.compile(pattern, flags)
    except regex.error as error:
        position = f" at position {error.pos}" if error.pos is not None else ""
        raise ConfigError(f"{here}: invalid regex{position}: {error.msg}") from None

    on = choice("on", TARGETS, "display")
    scope = choice("scope", SCOPES, "line")
    position = choice("position", POSITIONS, "anywhere")
    extent = choice("extent", EXTENTS, "segment")
    action = choice("action", ACTIONS, "drop")
    reason_name = choice("reason", [str(r) for r in RULE_REASONS], str(Reason.BOILERPLATE))
    window = integer("window", 3, 1)
    if "window" in raw and position == "anywhere":
        raise ConfigError(f"{here}: 'window' only applies to position head or tail")
    max_chars = integer("max_chars", 400, 1)
    previous_lines = integer("previous_lines", 0, 0)
    target_field = text("field")
    value = text("value")

    if matcher.fullmatch("", timeout=1.0) is not None:
        raise ConfigError(f"{here}: pattern matches the empty string")
    if on == "fingerprint" and extent == "match":
        raise ConfigError(f"{here}: a fingerprint pattern cannot cut a part of a segment (extent = 'match')")
    if on == "fingerprint" and value is not None:
        raise ConfigError(f"{here}: a fingerprint pattern moves the segment's text; 'value' is not allowed")
    if action == "drop":
        if target_field is not None or value is not None:
            raise ConfigError(f"{here}: 'field' and 'value' need action 'extract' or 'extract-keep'")
    else:
        if target_field is None:
            raise ConfigError(f"{here}: action {action!r} needs a 'field' naming the metadata field")
        if not _FIELD_NAME.fullmatch(target_field) or target_field in RESERVED_FIELDS:
            raise ConfigError(f"{here}: {target_field!r} cannot be a metadata field name")
    if value is not None and value != "*" and value not in matcher.groupindex:
        raise ConfigError(f"{here}: 'value' names group {value!r}, which the pattern does not define")
    if previous_lines and (scope != "line" or extent != "segment"):
        raise ConfigError(f"{here}: 'previous_lines' needs scope 'line' and extent 'segment'")

    requires = strings("requires")
    if any(not word for word in requires):
        raise ConfigError(f"{here}: 'requires' words cannot be empty")
    rule = Rule(
        name=name,
        pattern=pattern,
        pack=pack,
        on=on,
        scope=scope,
        position=position,
        window=window,
        extent=extent,
        action=action,
        field=target_field,
        value=value,
        reason=Reason(reason_name),
        source=strings("source"),
        ignore_case=ignore_case,
        max_chars=max_chars,
        previous_lines=previous_lines,
        description=text("description", "") or "",
        examples=strings("examples"),
        counter_examples=strings("counter_examples"),
        requires=tuple(case_probe(word) for word in requires) if ignore_case else requires,
        matcher=matcher,
    )
    # A pack proves itself: its examples must match and its counter-examples must not.
    for index, example in enumerate(rule.examples, start=1):
        if not _example_matches(rule, example):
            raise ConfigError(f"{here}: example {index} does not match: {example!r}")
        if not rule.may_match(_probe_of(rule, example)):
            raise ConfigError(f"{here}: example {index} holds none of the 'requires' words: {example!r}")
    for index, example in enumerate(rule.counter_examples, start=1):
        if _example_matches(rule, example):
            raise ConfigError(f"{here}: counter-example {index} matches: {example!r}")
    return rule


# What `str.lower` leaves that a case-insensitive pattern still matches to an ASCII letter:
# dotless i, LONG S, and the dot that lower-casing the Turkish dotted capital I leaves after
# its "i" (KELVIN SIGN lower-cases to "k"). Fixed after lowering, so a probe never misses.
_PROBE_FIX = str.maketrans({"\u0131": "i", "\u017f": "s", "\u0307": None})


def case_probe(text: str) -> str:
    """`text` lower-cased for a `requires` check: holds a word whenever a case-insensitive pattern could."""
    lowered = text.lower()
    if "\u0131" in lowered or "\u017f" in lowered or "\u0307" in lowered:
        lowered = lowered.translate(_PROBE_FIX)
    return lowered


def _example_subject(rule: Rule, example: str) -> str:
    """What the rule is tested on for an example: the example, or its fingerprint."""
    return fingerprint(example) if rule.on == "fingerprint" else example


def _probe_of(rule: Rule, example: str) -> str:
    subject = _example_subject(rule, example)
    return case_probe(subject) if rule.ignore_case else subject


def _example_matches(rule: Rule, example: str) -> bool:
    subject = _example_subject(rule, example)
    try:
        return len(example) <= rule.max_chars and rule.matches(subject, timeout=1.0) is not None
    except TimeoutError:
        return False


def resolve_rules(packs: Iterable[str], files: Iterable[str], disabled: Iterable[str]) -> tuple[Rule, ...]:
    """Shipped packs by name, then user packs by path, minus disabled rule names, in order.

    A rule name may appear only once across all packs (names are how users disable rules
    and read the ledger); disabling a name no pack defines is an error, since it is a typo.
    """
    loaded = [shipped_pack(name) for name in packs] + [load_pack(path) for path in files]
    owner: dict[str, str] = {}
    rules: list[Rule] = []
    for pack in loaded:
        for rule in pack.rules:
            if rule.name in owner:
                first = owner[rule.name]
                raise ConfigError(f'{pack.path}: rule "{rule.name}": name already defined in {first}')
            owner[rule.name] = pack.path
            rules.append(rule)
    off = set(disabled)
    unknown = sorted(off - owner.keys())
    if unknown:
        raise ConfigError(f"--disable-rule: no loaded rule is named {', '.join(map(repr, unknown))}")
    return tuple(rule for rule in rules if rule.name not in off)


@dataclass(frozen=True, slots=True)
class RulePackDetector:
    """Mark what the rule packs match: footers, credits, sources, embedded posts.

    Rules run in pack order; the first rule that claims a segment wins it, so a copyright
    line is not also read as a photo credit. A pattern that exceeds `timeout` seconds on a
    segment is reported (`metadata["rule_timeouts"]`) and skipped for the rest of the document.
    """

    rules: tuple[Rule, ...]
    timeout: float | None = 0.25
    name: str = "rules"

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        """Spans for every rule match, in rule order."""
        claimed: set[tuple[int, int]] = set()
        # Per (scope, on): each segment's range, length and subject, made once per document
        # and lazily, so the inner loop (rules x lines, mostly no match) does no other work.
        views: dict[tuple[str, str], _SegmentView] = {}
        for rule in self.rules:
            if not rule.applies_to(text.source):
                continue
            view = views.get((rule.scope, rule.on))
            if view is None:
                view = views[(rule.scope, rule.on)] = _SegmentView.of(text, rule.scope, rule.on)
            test = rule.matcher.fullmatch if rule.extent == "segment" else rule.matcher.search
            timeout = None if rule.trusted else self.timeout
            max_chars = rule.max_chars
            for index in _window(len(view.keys), rule):
                key = view.keys[index]
                if key in claimed or view.lengths[index] > max_chars:
                    continue
                subject = view.subjects[index]
                if rule.requires and not rule.may_match(view.probe(index) if rule.ignore_case else subject):
                    continue
                try:
                    match = test(subject) if timeout is None else test(subject, timeout=timeout)
                except TimeoutError:
                    evidence = {"timeout_seconds": self.timeout, "at": key[0]}
                    yield Span(0, 0, rule.reason, rule.name, evidence, "rule_timeouts", rule.name, False)
                    break
                if match is None:
                    continue
                span = self._span(rule, text, view.segments[index], match, claimed)
                claimed.add(key)
                yield span

    def _span(
        self, rule: Rule, text: SegmentedText, segment: Segment, match: Any, claimed: set[tuple[int, int]]
    ) -> Span:
        start, end = segment.start, segment.end
        if rule.extent == "match":
            start, end = segment.start + match.start(), segment.start + match.end()
        previous = None
        if rule.previous_lines:
            taken = _previous_lines(text, segment, rule.previous_lines, claimed)
            if taken:
                start = taken[0].start
                previous = "\n".join(line.text_of(text.text) for line in taken)
                claimed.update((line.start, line.end) for line in taken)
        evidence = {"pack": rule.pack}
        if rule.action == "drop":
            return Span(start, end, rule.reason, rule.name, evidence)
        value = rule.value_of(match, previous)
        return Span(start, end, rule.reason, rule.name, evidence, rule.field, value, rule.action == "extract")


def _window(count: int, rule: Rule) -> range:
    """The indexes of the segments a rule looks at: all, or the first or last `window`."""
    if rule.position == "head":
        return range(min(rule.window, count))
    if rule.position == "tail":
        return range(max(count - rule.window, 0), count)
    return range(count)


@dataclass(slots=True)
class _SegmentView:
    """One document's segments of one scope as rules read them (`on` display or fingerprint)."""

    segments: tuple[Segment, ...]
    keys: list[tuple[int, int]]
    lengths: list[int]
    subjects: list[str]
    probes: list[str | None]

    @classmethod
    def of(cls, text: SegmentedText, scope: str, on: str) -> _SegmentView:
        segments = text.lines if scope == "line" else text.blocks
        keys = [(segment.start, segment.end) for segment in segments]
        whole = text.text
        if on == "fingerprint" and scope == "line":  # every line folded at once, shared with learned lines
            subjects = list(text.line_fingerprints)
        elif on == "fingerprint":
            subjects = [fingerprint(whole[start:end]) for start, end in keys]
        else:
            subjects = [whole[start:end] for start, end in keys]
        return cls(segments, keys, [end - start for start, end in keys], subjects, [None] * len(keys))

    def probe(self, index: int) -> str:
        """The subject through `case_probe`, for `requires` with `ignore_case` (made once)."""
        probe = self.probes[index]
        if probe is None:
            probe = self.probes[index] = case_probe(self.subjects[index])
        return probe


def _previous_lines(
    text: SegmentedText, segment: Segment, count: int, claimed: set[tuple[int, int]]
) -> list[Segment]:
    """The `count` lines before `segment` when they are short and nobody claimed them."""
    lines = text.lines
    index = segment.index  # rules with previous_lines have line scope
    if index < count:
        return []
    taken = list(lines[index - count : index])
    for line in taken:
        if line.end - line.start > EMBED_TEXT_MAX_CHARS or (line.start, line.end) in claimed:
            return []
    return taken
