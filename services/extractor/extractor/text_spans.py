"""Sentences and words located in the text by character offset, without running a parser.

Quantities, quotations and date mentions are read with patterns over the whole text; the
sentence they come from is found here, cheaply, instead of by spaCy's parser.
"""

import bisect
import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally closed by a quote or bracket) before whitespace and a capital,
# digit or quote, or at a paragraph break; abbreviations like "U.S." or "Mr." are not ends.
_END = re.compile(r"(?<=[.!?])([\"'”’)\]]?)[ \t]+(?=[\"“‘(A-Z0-9])|()\n+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|St|Jr|Sr|No|Vol|vs|etc|Inc|Ltd|Co|Corp|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$"
)


@dataclass(frozen=True)
class Sentences:
    text: str
    starts: list[int]
    ends: list[int]

    def around(self, offset: int) -> str:
        """The sentence containing character `offset`."""
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.text[self.starts[index] : self.ends[index]]

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=True))


def split_sentences(text: str) -> Sentences:
    starts, ends = [0], []
    for match in _END.finditer(text):
        closing = match.group(1)
        if closing is not None and not closing and _ABBREVIATIONS.search(text[starts[-1] : match.start()]):
            continue
        ends.append(match.start() + len(closing or ""))
        starts.append(match.end())
    ends.append(len(text))
    return Sentences(text, starts, ends)
