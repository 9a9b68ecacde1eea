"""Dates the text mentions ("on Wednesday", "last month", "March 3"), resolved against publication.

A weekday means the most recent one on or before the publication day ("next Friday": the first
one after it); a month or year without a day resolves to its first day (`granularity` says so); a
day and month without a year take the publication's year, or the year before when that would put
them more than a week after publication.
"""

import re
from datetime import date, timedelta

from newsflow_shared.contracts.enrichment import DateMention

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_MONTHS = {name: i + 1 for i, name in enumerate(_MONTH_NAMES)}
_MONTHS.update({name[:3]: i + 1 for i, name in enumerate(_MONTH_NAMES)} | {"sept": 9})
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_month = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = [
    re.compile(r"\b(?P<iso>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))\b"),
    re.compile(rf"\b{_month}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_month}(?:,?\s+(?P<year>\d{{4}}))?\b", re.I),
    re.compile(rf"\b(?:in|since|until|by|early|late|mid-?|last|this|next)\s+{_month}(?:\s+(?P<year>\d{{4}}))?\b", re.I),
    re.compile(r"\b(?:on\s+)?(?:(?P<rel>last|this|next)\s+)?(?P<weekday>monday|tuesday|wednesday|"
               r"thursday|friday|saturday|sunday)\b", re.I),
    re.compile(r"\b(?P<deictic>yesterday|today|tomorrow|tonight|last night|this morning)\b", re.I),
    re.compile(r"\b(?P<period_rel>last|this|next|past)\s+(?P<period>week|month|year)\b", re.I),
]
# "may" is a verb far more often than a month: only with a day or a year beside it
_AMBIGUOUS_MONTHS = {"may", "mar", "jan", "jun", "dec", "sep", "oct", "aug", "apr", "nov", "feb", "jul"}


def find_dates(text: str, published: date | None) -> list[DateMention]:
    mentions: dict[int, DateMention] = {}
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # an earlier, more specific pattern already read this span
            mention = _mention(match, published)
            if mention is not None:
                taken.append(match.span())
                mentions[match.start()] = mention
    return [mentions[offset] for offset in sorted(mentions)]


def _mention(match: re.Match[str], published: date | None) -> DateMention | None:
    groups = match.groupdict()
    month_word = (groups.get("month") or "").lower()
    if month_word in _AMBIGUOUS_MONTHS and not (groups.get("day") or groups.get("year")):
        return None
    try:
        resolved, granularity = _resolve(groups, published)
    except ValueError:  # "February 30"
        return None
    return DateMention(text=match.group().strip(), resolved=resolved, granularity=granularity, offset=match.start())


def _resolve(g: dict[str, str | None], published: date | None) -> tuple[date | None, str]:
    if g.get("iso"):
        return date(int(g["y"]), int(g["m"]), int(g["d"])), "day"
    if g.get("month"):
        month = _MONTHS[g["month"].lower().rstrip(".")]
        day = int(g["day"]) if g.get("day") else None
        year = int(g["year"]) if g.get("year") else None
        if year is None and published is None:
            return None, "day" if day else "month"
        if year is None:
            year = published.year
            if date(year, month, day or 1) > published + timedelta(days=7):
                year -= 1
        return date(year, month, day or 1), "day" if day else "month"
    if published is None:
        return None, "day"
    if g.get("weekday"):
        return _weekday(g["weekday"].lower(), (g.get("rel") or "").lower(), published), "day"
    if g.get("deictic"):
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(g["deictic"].lower(), 0)
        return published + timedelta(days=shift), "day"
    return _period(g["period"].lower(), g["period_rel"].lower(), published)


def _weekday(name: str, relation: str, published: date) -> date:
    target = _WEEKDAYS.index(name)
    if relation == "next":
        return published + timedelta(days=(target - published.weekday() - 1) % 7 + 1)
    back = (published.weekday() - target) % 7
    if relation == "last" and back == 0:
        back = 7
    return published - timedelta(days=back)


def _period(period: str, relation: str, published: date) -> tuple[date, str]:
    step = {"last": -1, "past": -1, "this": 0, "next": 1}[relation]
    if period == "week":
        monday = published - timedelta(days=published.weekday())
        return monday + timedelta(weeks=step), "week"
    if period == "month":
        index = published.year * 12 + published.month - 1 + step
        return date(index // 12, index % 12 + 1, 1), "month"
    return date(published.year + step, 1, 1), "year"
