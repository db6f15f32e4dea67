"""Word error rate: how far a transcript is from the words that were spoken.

WER = (substitutions + deletions + insertions) / words in the reference, from a word-level
Levenshtein alignment. Both sides are normalised first: lower case, punctuation dropped (an
apostrophe inside a word is kept, so "don't" stays one word), hyphens split words. Numbers are
not spelled out: tests choose sentences without digits.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def words(text: str) -> list[str]:
    """The normalised words of ``text``."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """The fewest substitutions, deletions and insertions that turn ``reference`` into ``hypothesis``."""
    previous = list(range(len(hypothesis) + 1))
    for row, word in enumerate(reference, start=1):
        current = [row]
        for column, heard in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[column] + 1,  # deletion
                    current[column - 1] + 1,  # insertion
                    previous[column - 1] + (word != heard),  # substitution or match
                )
            )
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> float:
    """The word error rate of ``hypothesis`` against ``reference`` (0.0 is perfect; it can exceed 1)."""
    expected = words(reference)
    if not expected:
        raise ValueError("the reference has no words")
    return edit_distance(expected, words(hypothesis)) / len(expected)
