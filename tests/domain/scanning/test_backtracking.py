"""Scan patterns that could backtrack without end are refused; the ones a warehouse uses are not."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from app.domain.scanning.backtracking import backtracking_risk
from app.domain.scanning.classify import DEFAULT_PATTERNS, ScanPatterns

EVIL = [
    r"(T+)+$",
    r"(a+)+",
    r"(a*)*",
    r"(a|a)*",
    r"(a|aa)+",
    r"(\d|\d\d)+",
    r"(\w+\s?)+",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"(x+x+)+y",
    r"(.*a){12}",
    r"(ab|\wc)+",
    r"(?:[A-Z0-9]+-?)+",
]
REALISTIC = [
    r"^T\d{4}$",
    r"^[A-Z]\d{2}-\d{2}-\d$",
    r"OP-\d{4}",
    r"EMP\d{3}",
    r"SO-\d{6}",
    r"(?:\d{2}-){3}\d",
    r"(?:AB|CD)+\d{2}",
    r"(?>[A-Z]+)+\d",
    r"[A-Z]+\d+",
    # GS1-style: GTIN, then optional expiry and lot
    r"01\d{14}(?:17\d{6})?(?:10[!-~]{1,20})?",
    r"\(01\)\d{14}(?:\(10\)[!-~]{1,20})?",
    r"00\d{18}",
]


@pytest.mark.parametrize("pattern", EVIL)
def test_patterns_that_can_backtrack_without_end_are_refused(pattern: str) -> None:
    assert backtracking_risk(pattern)
    with pytest.raises(ValueError, match="'tote' is refused: a repeated group") as refused:
        ScanPatterns.from_overrides({"tote": pattern})
    assert "could take minutes" in str(refused.value)
    with pytest.raises(ValueError, match="is refused"):
        ScanPatterns.from_overrides({"tracking:Acme": pattern})


@pytest.mark.parametrize("pattern", [*REALISTIC, *DEFAULT_PATTERNS.as_dict().values()], ids=repr)
def test_default_and_realistic_patterns_are_accepted(pattern: str) -> None:
    assert backtracking_risk(pattern) is None
    ScanPatterns.from_overrides({"tote": pattern})


# Scans built to make a backtracking pattern try every split: a long run of one character
# the pattern likes, then one it does not.
_ADVERSARIAL = textwrap.dedent(
    """
    import sys
    from app.domain.scanning.classify import ScanPatterns, classify
    patterns = [ScanPatterns()] + [ScanPatterns.from_overrides({"tote": p}) for p in sys.argv[1:]]
    runs = ["T", "A", "a", "0", "1", "-", " ", "AB", "1Z", "01"]
    for pattern in patterns:
        for run in runs:
            for tail in ["X", "!", "-", " x", "\\x1d"]:
                scan = (run * 64)[: 64 - len(tail)] + tail
                classify(scan, pattern)
    print("done", len(patterns))
    """
)


def test_adversarial_scans_finish_with_every_accepted_pattern() -> None:
    # In a child process with a generous limit: a pattern that backtracked would hang it.
    done = subprocess.run(
        [sys.executable, "-c", _ADVERSARIAL, *REALISTIC],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["done", str(len(REALISTIC) + 1)]
