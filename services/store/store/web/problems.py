"""Every error as RFC 9457 problem details (application/problem+json), or as an HTML page for the pages."""

from collections.abc import Callable
from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from store.metrics import API_DATABASE_ERRORS
from store.schemas import Problem

PROBLEM_JSON = "application/problem+json"
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement the statement timeout (ApiSettings) cancelled

log = structlog.get_logger("store.api")

HtmlError = Callable[[Request, int, str], Response]


def problem(status: int, detail: str, *, request: Request | None = None, errors: list[dict] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(
        title=HTTPStatus(status).phrase, status=status, detail=detail,
        instance=request.url.path if request else None, errors=errors,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers,
                        media_type=PROBLEM_JSON)


def invalid_parameters(exc: RequestValidationError) -> list[dict]:
    # The offending input is left out: it can be large, and echoing it back helps no one.
    return [{"in": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
            for error in exc.errors()]


def database_failure(exc: SQLAlchemyError, *, path: str) -> str:
    """Count and log a request's database error; returns what to tell the client."""
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == QUERY_CANCELED:
        API_DATABASE_ERRORS.labels(kind="timeout").inc()
        log.warning("a request's query ran past the statement timeout", path=path)
        return "the query took too long; try a narrower request"
    API_DATABASE_ERRORS.labels(kind="unavailable").inc()
    log.error("database error serving a request", path=path, error=str(exc))
    return "the database is unavailable; try again shortly"


def install_problem_handlers(api: FastAPI, *, wants_html: Callable[[Request], bool], html_error: HtmlError) -> None:
    @api.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        if wants_html(request):
            return html_error(request, exc.status_code, detail)
        return problem(exc.status_code, detail, request=request, headers=exc.headers)

    @api.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = invalid_parameters(exc)
        detail = "; ".join(f"{e['in']}: {e['message']}" for e in errors)
        if wants_html(request):
            return html_error(request, 422, detail)
        return problem(422, detail, request=request, errors=errors)

    @api.exception_handler(SQLAlchemyError)
    def database_error(request: Request, exc: SQLAlchemyError) -> Response:
        detail = database_failure(exc, path=request.url.path)
        if wants_html(request):
            return html_error(request, 503, detail)
        return problem(503, detail, request=request)


    @api.exception_handler(Exception)
    def unexpected_error(request: Request, exc: Exception) -> Response:
        # Starlette still re-raises after this, so the traceback reaches the server log.
        log.error("unexpected error serving a request", path=request.url.path, error=repr(exc))
        detail = "an unexpected error occurred; it has been logged"
        if wants_html(request):
            return html_error(request, 500, detail)
        return problem(500, detail, request=request)


# For the OpenAPI document: what each route can answer besides success.
PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict]:
    return {status: {"description": HTTPStatus(status).phrase, "model": Problem, "content": PROBLEM_CONTENT}
            for status in (*statuses, 422, 503)}
