"""Whisper's repetition loops: finding one in a transcript, and where it starts.

A small Whisper model that loses its place in the audio can fall into writing the same
token, or the same few tokens, over and over until its window ends ("…on Thursday at
10-1-0-0-0-0-0-0-0-0…"). Everything the caller said after that is lost, and the loop reads
like a number. Two signs give it away, the same two Whisper itself uses:

- the text compresses far too well: its compression ratio (UTF-8 length over zlib-compressed
  length, as Whisper computes it) is above COMPRESSION_RATIO_LIMIT; ordinary speech is
  around 1.5, a loop climbs past 3;
- one token, or one n-gram of up to MAX_NGRAM tokens, repeats back to back more often than
  a person says it: a single token more than SINGLE_REPEAT_LIMIT times in a row ("no no no"
  and the "0 0" of "0 0 7" are far below it), an n-gram at least
  max(NGRAM_REPEAT_MIN, ceil(NGRAM_SPAN / n)) times.

Where a loop is found only by its compression ratio (a cycle that changes a little each
turn), it starts at the first RECURRING_NGRAM tokens that come back NGRAM_REPEAT_MIN times.

Tokens are what is between spaces, hyphens and punctuation, compared without case, so
"0-0-0", "0, 0, 0" and "0 0 0" are the same run.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from typing import Optional

# Whisper's own threshold for a window decoded badly (faster-whisper's default).
COMPRESSION_RATIO_LIMIT = 2.4
# Shorter texts compress badly whatever they say (zlib's own overhead), so their ratio
# says nothing; only the repeated-token rule applies to them.
COMPRESSION_MIN_CHARACTERS = 60
# One token back to back: more than this many times is a loop. A phone number has at
# most seven equal digits in a row ("000-0000"); a person says "no" three or four times.
SINGLE_REPEAT_LIMIT = 7
# An n-gram of 2…MAX_NGRAM tokens back to back: at least this many times, and covering
# at least NGRAM_SPAN tokens, is a loop.
MAX_NGRAM = 10
NGRAM_REPEAT_MIN = 3
NGRAM_SPAN = 8

# In a text that compresses like a loop: this many tokens coming back is where it starts.
RECURRING_NGRAM = 4

_TOKEN = re.compile(r"[^\s,.;:!?\-–—…\"'()]+")


def compression_ratio(text: str) -> float:
    """UTF-8 length over zlib-compressed length, as Whisper computes it."""
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))


@dataclass(frozen=True)
class Loop:
    """Where a loop starts in the text (a character offset) and what repeats."""

    start: int
    unit: str
    times: int


def _repeats_needed(n: int) -> int:
    if n == 1:
        return SINGLE_REPEAT_LIMIT + 1
    return max(NGRAM_REPEAT_MIN, math.ceil(NGRAM_SPAN / n))


def find_loop(text: str) -> Optional[Loop]:
    """The earliest repetition loop in `text`, or None when there is none."""
    matches = list(_TOKEN.finditer(text))
    tokens = [match.group().casefold() for match in matches]
    best: Optional[tuple[int, int, int]] = None  # (first token, n, times)
    for n in range(1, MAX_NGRAM + 1):
        needed = _repeats_needed(n)
        i = 0
        while i + n * needed <= len(tokens):
            times = 1
            while tokens[i + times * n:i + (times + 1) * n] == tokens[i:i + n]:
                times += 1
            if times >= needed:
                if best is None or i < best[0]:
                    best = (i, n, times)
                break
            i += 1
    if best is not None:
        first, n, times = best
        return Loop(start=matches[first].start(), unit=" ".join(tokens[first:first + n]), times=times)
    if len(text) >= COMPRESSION_MIN_CHARACTERS and compression_ratio(text) > COMPRESSION_RATIO_LIMIT:
        # It compresses like a loop without one n-gram repeating back to back (a cycle that
        # changes a little each turn): the loop starts at the first RECURRING_NGRAM tokens
        # that come back at least NGRAM_REPEAT_MIN times.
        for i in range(len(tokens) - RECURRING_NGRAM + 1):
            gram = tokens[i:i + RECURRING_NGRAM]
            times = sum(1 for j in range(i, len(tokens) - RECURRING_NGRAM + 1)
                        if tokens[j:j + RECURRING_NGRAM] == gram)
            if times >= NGRAM_REPEAT_MIN:
                return Loop(start=matches[i].start(), unit=" ".join(gram), times=times)
        return Loop(start=0, unit="", times=0)
    return None


def before_loop(text: str, loop: Loop) -> str:
    """The words said before the loop, without the separators that led into it."""
    return text[:loop.start].rstrip(" \t\n,;:-–—").strip()
