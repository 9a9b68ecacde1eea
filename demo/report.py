"""The demo's closing report: the stories the pipeline built, as a plain-text table."""

import shutil
import textwrap
from typing import Any


def _count(story: dict[str, Any], field: str, listed: str) -> int:
    if isinstance(story.get(field), int):
        return story[field]
    return len(story.get(listed) or [])


def stories_table(stories: list[dict[str, Any]], width: int | None = None) -> str:
    """Stories with most coverage first: articles, distinct sources, title (wrapped to the terminal)."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = sorted(
        (
            (_count(s, "article_count", "articles"), _count(s, "source_count", "source_ids"),
             str(s.get("title") or s.get("id") or "?"))
            for s in stories
        ),
        key=lambda row: (-row[0], -row[1], row[2]),
    )
    title_width = max(30, width - 22)
    lines = [f"{'#':>3}  {'articles':>8}  {'sources':>7}  title", f"{'-' * 3}  {'-' * 8}  {'-' * 7}  {'-' * 30}"]
    for number, (articles, sources, title) in enumerate(rows, start=1):
        wrapped = textwrap.wrap(title, title_width) or [""]
        lines.append(f"{number:>3}  {articles:>8}  {sources:>7}  {wrapped[0]}")
        lines.extend(f"{'':>3}  {'':>8}  {'':>7}  {more}" for more in wrapped[1:])
    return "\n".join(lines)
