"""The pages people read, rendered on the server: the front page of stories and a page per story.

Jinja2 autoescapes everything: titles and text come from the web and are hostile input. No page runs
script; the strict Content-Security-Policy (store.web.security) would stop any that slipped in.
"""

from pathlib import Path
from typing import Annotated

import jinja2
from fastapi import APIRouter, HTTPException, Request
from fastapi.params import Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from newsflow_shared.contracts.story_updates import Distribution

from store import queries
from store.queries import STORY_ORDERS, StoryFilters
from store.schemas import StoryDetail, StorySort
from store.web import presentation
from store.web.cursors import encode_cursor
from store.web.params import Cursor, SessionDep, after_cursor

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
FRONT_PAGE_SIZE = 30
PAGE_PREFIXES = ("/story/", "/static/")

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
)
environment.globals.update(
    segments=presentation.segments, bar_label=presentation.bar_label, headline_share=presentation.headline_share,
    timeline_of=presentation.timeline_of, when=presentation.when, safe_href=presentation.safe_href,
    labels=presentation.LABELS, BIAS_5=presentation.BIAS_5, BIAS_3=presentation.BIAS_3,
    FACTUALITY=presentation.FACTUALITY,
)
templates = Jinja2Templates(env=environment)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def wants_html(request: Request) -> bool:
    """Errors on a page's URL (or from a browser on an unknown one) come back as a page, not JSON."""
    path = request.url.path
    if path == "/" or path.startswith(PAGE_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return request.scope.get("route") is None and "text/html" in accept


def html_error(request: Request, status: int, detail: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail, "nav": ""},
                                      status_code=status)


@router.get("/")
def front_page(
    request: Request, session: SessionDep, cursor: Cursor = None,
    sort: Annotated[StorySort, Query()] = StorySort.LATEST,
) -> Response:
    scope = f"front:{sort.value}"
    after = after_cursor(cursor, scope=scope, order=STORY_ORDERS[sort], offset=None)
    found = queries.list_stories(session, filters=StoryFilters(), sort=sort, limit=FRONT_PAGE_SIZE, after=after)
    rows = [(story, presentation.distribution_of(story.bias_counts, presentation.THREE_WAY))
            for story in found.rows]
    older = encode_cursor(scope, found.next_after) if found.next_after else None
    return templates.TemplateResponse(request, "front.html", {
        "rows": rows, "sort": sort.value, "older": older, "total": found.total, "nav": sort.value,
    })


@router.get("/story/{story_id}")
def story_page(request: Request, story_id: str, session: SessionDep) -> Response:
    current = queries.resolve_story_id(session, story_id[:200])
    if current is None:
        raise HTTPException(404, "There is no such story. It may have been removed.")
    if current != story_id:
        return RedirectResponse(f"/story/{current}", status_code=308)
    detail = queries.get_story(session, story_id=current)
    if detail is None:
        raise HTTPException(404, "There is no such story. It may have been removed.")
    bias5, bias3 = bias_distributions(detail)
    return templates.TemplateResponse(request, "story.html", {
        "nav": "", "story": detail, "coverage": detail.coverage, "bias5": bias5, "bias3": bias3,
        "total_sources": detail.coverage.sources or detail.source_count,
        "last_updated": detail.coverage.last_updated or detail.updated_at,
    })


def bias_distributions(detail: StoryDetail) -> tuple[Distribution, Distribution]:
    """The writer's 5- and 3-way bias distributions; from the row's per-rating counts until it fills them."""
    coverage = detail.coverage
    bias5 = coverage.bias if coverage.bias.rated or coverage.bias.unrated else (
        presentation.distribution_of(detail.bias_counts))
    bias3 = coverage.bias_3way if coverage.bias_3way.rated or coverage.bias_3way.unrated else (
        presentation.distribution_of(detail.bias_counts, presentation.THREE_WAY))
    return bias5, bias3
