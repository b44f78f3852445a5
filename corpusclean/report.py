"""Run statistics: counts that always add up, characters by reason, time per stage."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .io.readers import ReadError
from .pipeline import Outcome


@dataclass
class RunStats:
    """Accumulates what happened to every input record; `to_dict` is report.json."""

    docs_in: int = 0
    docs_out: int = 0
    errors: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    chars_removed: Counter[str] = field(default_factory=Counter)
    spans_removed: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    rule_timeouts: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, item: Outcome | ReadError) -> None:
        """Count one input record's fate."""
        self.docs_in += 1
        if isinstance(item, ReadError):
            self.errors += 1
            return
        for stage, seconds in item.timings.items():
            self.seconds[stage] += seconds
        self.chars_in += item.chars_in
        for rule in item.doc.metadata.get("rule_timeouts", ()):
            self.rule_timeouts[rule] += 1
        if item.drop is not None:
            self.dropped[str(item.drop.reason)] += 1
            return
        self.docs_out += 1
        self.chars_out += len(item.doc.text)
        for removal in item.doc.metadata.get("removed", ()):
            self.chars_removed[removal["reason"]] += len(removal["text"])
            self.spans_removed[removal["reason"]] += 1
            # Learned lines carry their counts in the rule ("learned:12/40"); report them as one.
            self.rules[removal["rule"].split(":", 1)[0]] += 1

    @property
    def docs_dropped(self) -> int:
        """Documents dropped, all reasons together."""
        return sum(self.dropped.values())

    def balanced(self) -> bool:
        """The ledger invariant: every input record is kept, dropped or an error."""
        return self.docs_in == self.docs_out + self.docs_dropped + self.errors

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (everything but `seconds` is identical across runs)."""
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "docs_dropped": self.docs_dropped,
            "errors": self.errors,
            "balanced": self.balanced(),
            "dropped_by_reason": dict(sorted(self.dropped.items())),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "chars_removed_by_reason": dict(sorted(self.chars_removed.items())),
            "spans_removed_by_reason": dict(sorted(self.spans_removed.items())),
            "spans_removed_by_rule": dict(sorted(self.rules.items())),
            "rule_timeouts": dict(sorted(self.rule_timeouts.items())),
            "seconds_by_stage": {k: round(v, 4) for k, v in sorted(self.seconds.items())},
        }

    def summary(self) -> str:
        """A few human lines for stderr."""
        dropped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.dropped.items())) or "none"
        removed = ", ".join(f"{n} {reason}" for reason, n in sorted(self.chars_removed.items())) or "none"
        share = 100.0 * (1 - self.chars_out / self.chars_in) if self.chars_in else 0.0
        return (
            f"corpusclean: {self.docs_in} in = {self.docs_out} kept + {self.docs_dropped} dropped "
            f"+ {self.errors} errors\n"
            f"  dropped: {dropped}\n"
            f"  characters: {self.chars_in} in, {self.chars_out} out ({share:.1f}% removed)\n"
            f"  removed by reason: {removed}"
        )
