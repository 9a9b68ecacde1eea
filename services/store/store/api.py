"""`python -m store.api`: the read-only HTTP API, its own process so readers scale apart from the writer."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import structlog
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import exit_zero_after_sigterm
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from store import queries
from store.db import check_connection, make_engine
from store.schemas import ArticlePublic, Health, Page, StoryDetail, StoryPublic
from store.settings import ApiSettings

MAX_PAGE_SIZE = 100

log = structlog.get_logger("store.api")


def build_api(settings: ApiSettings, *, engine: Engine | None = None) -> FastAPI:
    """The API over `settings.database_url` (or a given engine, which the caller then owns)."""
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    api = FastAPI(title="Newsflow store API", version="1", lifespan=lifespan)

    def open_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    SessionDep = Annotated[Session, Depends(open_session)]
    Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}.")]
    Offset = Annotated[int, Query(ge=0)]

    @api.get("/health", response_model=Health, responses={503: {"model": Health}})
    def health() -> JSONResponse:
        try:
            check_connection(engine)
        except SQLAlchemyError as exc:
            log.warning("health check: database unreachable", error=str(exc))
            return JSONResponse(Health(status="unavailable", database="unreachable").model_dump(), 503)
        return JSONResponse(Health(status="ok", database="ok").model_dump())

    @api.get("/stories", response_model=Page[StoryPublic])
    def stories(session: SessionDep, limit: Limit = 20, offset: Offset = 0) -> Page[StoryPublic]:
        items, total = queries.list_stories(session, limit=limit, offset=offset)
        return Page[StoryPublic](items=items, total=total, limit=limit, offset=offset)

    @api.get("/stories/{story_id}", response_model=StoryDetail, responses={404: {}})
    def story(story_id: str, session: SessionDep) -> StoryDetail:
        found = queries.get_story(session, story_id=story_id)
        if found is None:
            raise HTTPException(404, f"no story {story_id!r}")
        return found

    @api.get("/articles", response_model=Page[ArticlePublic])
    def articles(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> Page[ArticlePublic]:
        items, total = queries.list_articles(session, limit=limit, offset=offset)
        return Page[ArticlePublic](items=items, total=total, limit=limit, offset=offset)

    @api.exception_handler(SQLAlchemyError)
    def database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error serving a request", error=str(exc))
        return JSONResponse({"detail": "database unavailable"}, status_code=503)

    return api


def main() -> None:
    settings = ApiSettings()
    configure_logging("store-api", level=settings.log_level, fmt=settings.log_format)
    exit_zero_after_sigterm()
    uvicorn.run(
        build_api(settings), host=settings.host, port=settings.port, log_config=None,
        log_level=settings.log_level.lower(),
    )


if __name__ == "__main__":
    main()
