"""Patterns that could make a scan hang: repeated groups a regular expression can split many ways.

Python's `re` backtracks. A repeated group whose body can itself match a varying length
(`(T+)+`, `(\\w+\\s?)+`) or whose alternatives can start on the same character (`(a|a)*`,
`(\\d|\\d\\d)+`) can divide one scan among its repetitions in exponentially many ways, and a
scan that almost matches makes `re` try every one. Such a pattern is refused when it is set,
by walking the parsed pattern rather than guessing from its text.
"""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# Characters a first-character set is computed over: ASCII (what barcodes carry) and two
# stand-ins for everything else, enough to tell whether two alternatives can start alike.
_UNIVERSE = frozenset([*range(128), 0xE9, 0x3000])
_CATEGORIES = {
    c.CATEGORY_DIGIT: r"\d",
    c.CATEGORY_NOT_DIGIT: r"\D",
    c.CATEGORY_SPACE: r"\s",
    c.CATEGORY_NOT_SPACE: r"\S",
    c.CATEGORY_WORD: r"\w",
    c.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT)
_ADVICE = "write it so each part of a scan can be matched one way only"


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` could backtrack catastrophically, or None when it cannot."""
    parsed = _parser.parse(pattern, re.ASCII)
    return _walk(list(parsed), inside_repeat=False)


def refusal(key: str, pattern: str, why: str) -> str:
    """The message for a refused pattern, naming the setting and what to do."""
    return (
        f"scan pattern {key!r} is refused: {why}, so a scan that almost matches {pattern!r} "
        f"could take minutes to read; {_ADVICE}"
    )


def _walk(items: list[Any], *, inside_repeat: bool) -> str | None:
    for op, av in items:
        problem: str | None = None
        if op in _REPEATS:
            low, high, body = av
            if inside_repeat and low != high:
                return "a repeated group contains another quantifier"
            # A body taken at most once cannot be split between repetitions.
            problem = _walk(list(body), inside_repeat=inside_repeat or high > 1)
        elif op == c.POSSESSIVE_REPEAT:
            problem = _walk(list(av[2]), inside_repeat=False)
        elif op == c.SUBPATTERN:
            problem = _walk(list(av[3]), inside_repeat=inside_repeat)
        elif op == c.ATOMIC_GROUP:
            # Once an atomic group has matched, nothing backtracks into it.
            problem = _walk(list(av), inside_repeat=False)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            problem = _walk(list(av[1]), inside_repeat=inside_repeat)
        elif op == c.BRANCH:
            branches = [list(b) for b in av[1]]
            if inside_repeat:
                problem = _ambiguous(branches)
            for branch in branches:
                problem = problem or _walk(branch, inside_repeat=inside_repeat)
        elif op == c.GROUPREF_EXISTS:
            branches = [list(b) for b in av[1:] if b is not None]
            for branch in branches:
                problem = problem or _walk(branch, inside_repeat=inside_repeat)
        if problem:
            return problem
    return None


def _ambiguous(branches: list[list[Any]]) -> str | None:
    widths = {_width(b) for b in branches}
    if len(widths) > 1:
        return "a repeated group has alternatives of different lengths"
    seen: set[int] = set()
    empty = 0
    for branch in branches:
        first, nullable = _first(branch)
        empty += nullable
        if first & seen or empty > 1:
            return "a repeated group has alternatives that can match the same text"
        seen |= first
    return None


def _width(items: list[Any]) -> tuple[int, int]:
    sub = _parser.SubPattern(_parser.State(), items)
    low, high = sub.getwidth()
    return int(low), int(high)


def _first(items: list[Any]) -> tuple[set[int], bool]:
    """The characters a match of `items` can start with, and whether it can match nothing."""
    found: set[int] = set()
    for op, av in items:
        chars, nullable = _first_of(op, av)
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _first_of(op: Any, av: Any) -> tuple[set[int], bool]:
    if op == c.LITERAL:
        return {av}, False
    if op == c.NOT_LITERAL:
        return set(_UNIVERSE - {av}), False
    if op == c.ANY:
        return set(_UNIVERSE), False
    if op == c.IN:
        return _in_set(av), False
    if op in (*_REPEATS, c.POSSESSIVE_REPEAT):
        chars, nullable = _first(list(av[2]))
        return chars, nullable or av[0] == 0
    if op == c.SUBPATTERN:
        return _first(list(av[3]))
    if op == c.ATOMIC_GROUP:
        return _first(list(av))
    if op in (c.BRANCH, c.GROUPREF_EXISTS):
        branches = av[1] if op == c.BRANCH else [b for b in av[1:] if b is not None]
        chars, nullable = set(), op == c.GROUPREF_EXISTS and len(branches) < 2
        for branch in branches:
            more, empty = _first(list(branch))
            chars |= more
            nullable = nullable or empty
        return chars, nullable
    if op == c.GROUPREF:
        return set(_UNIVERSE), True
    # Anchors and lookarounds consume nothing.
    return set(), True


def _in_set(items: list[Any]) -> set[int]:
    chars: set[int] = set()
    negate = False
    for op, av in items:
        if op == c.NEGATE:
            negate = True
        elif op == c.LITERAL:
            chars.add(av)
        elif op == c.RANGE:
            chars |= {n for n in _UNIVERSE if av[0] <= n <= av[1]}
        elif op == c.CATEGORY and av in _CATEGORIES:
            test = re.compile(_CATEGORIES[av], re.ASCII)
            chars |= {n for n in _UNIVERSE if test.fullmatch(chr(n))}
        else:  # anything else: assume it may match any character
            chars |= _UNIVERSE
    return set(_UNIVERSE - chars) if negate else chars
