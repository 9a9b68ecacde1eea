"""`python -m store.api`: the read-only HTTP API and pages, its own process so readers scale apart from the writer."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles
from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import exit_zero_after_sigterm
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.engine import Engine

from store.db import make_engine
from store.settings import ApiSettings
from store.web import exports, pages, routes
from store.web.params import MAX_PAGE_SIZE
from store.web.problems import install_problem_handlers
from store.web.security import SecurityHeaders

__all__ = ["MAX_PAGE_SIZE", "build_api", "main"]

DESCRIPTION = """Newsflow's stories, articles, sources and events, read-only.

Lists are paged with an opaque `cursor` (pass the previous page's `next_cursor`). Errors are RFC 9457
problem details (`application/problem+json`). Admin routes need `Authorization: Bearer <STORE_API_ADMIN_TOKEN>`
and are disabled (403) when no token is configured. The same process serves the web pages at `/`."""


def build_api(settings: ApiSettings, *, engine: Engine | None = None) -> FastAPI:
    """The API over `settings.database_url` (or a given engine, which the caller then owns)."""
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url, statement_timeout_s=settings.statement_timeout_s,
                                  application_name="store-api")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    api = FastAPI(title="Newsflow store API", version="1", description=DESCRIPTION, lifespan=lifespan)
    api.state.engine = engine
    api.state.settings = settings
    api.add_middleware(SecurityHeaders)
    install_problem_handlers(api, wants_html=pages.wants_html, html_error=pages.html_error)
    api.include_router(routes.router)
    api.include_router(exports.router)
    api.include_router(pages.router)
    api.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")

    @api.get("/metrics", include_in_schema=False)
    def metrics() -> Response:  # Prometheus scrapes the API like the workers (docs/operations.md)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

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
