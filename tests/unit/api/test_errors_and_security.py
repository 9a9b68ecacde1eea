"""Problem details for every error, limits on what a request may ask, security headers, the admin guard."""

from http import HTTPStatus

import pytest
from fastapi.testclient import TestClient
from store.api import MAX_PAGE_SIZE, build_api
from store.settings import ApiSettings

TOKEN = "an-admin-token-for-tests"


@pytest.mark.parametrize("path", ["/stories", "/articles", "/sources", "/events"])
def test_page_sizes_are_capped(client: TestClient, path: str) -> None:
    """limit=MAX_PAGE_SIZE is fine; one more is a 422 problem naming the parameter."""
    assert client.get(path, params={"limit": MAX_PAGE_SIZE}).status_code == 200
    response = client.get(path, params={"limit": MAX_PAGE_SIZE + 1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["title"], problem["status"], problem["instance"]) == (HTTPStatus(422).phrase, 422, path)
    assert problem["errors"][0]["in"] == "query.limit"
    assert "100" in problem["detail"]


@pytest.mark.parametrize("params", [
    {"cursor": "not-a-cursor"}, {"cursor": "e30"}, {"cursor": "x" * 513}, {"since": "yesterday"},
    {"since": "2026-11-04T00:00:00"}, {"entity": "e" * 201}, {"country": "Russia"}, {"source": "Not An Id"},
    {"sort": "random"}, {"cursor": "eyJzIjoic3RvcmllczpsYXRlc3QiLCJrIjpbMSwyXX0", "offset": 1},
])
def test_bad_parameters_are_client_errors_with_a_reason(client: TestClient, params: dict) -> None:
    """Malformed or oversized parameters get a 4xx problem with a detail, never a 500."""
    response = client.get("/stories", params=params)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


def test_a_forged_cursor_for_the_right_list_is_refused(client: TestClient) -> None:
    """A cursor that decodes but holds values of the wrong kind is a 400, not a database error."""
    # {"s":"stories:latest","k":[1,2]}: a number where a time belongs.
    response = client.get("/stories", params={"cursor": "eyJzIjoic3RvcmllczpsYXRlc3QiLCJrIjpbMSwyXX0"})
    assert (response.status_code, response.json()["detail"]) == (400, "the cursor is not one this API issued")


def test_unknown_paths_are_problems_for_programs_and_pages_for_browsers(client: TestClient) -> None:
    assert client.get("/nope").headers["content-type"] == "application/problem+json"
    page = client.get("/nope", headers={"accept": "text/html"})
    assert (page.status_code, page.headers["content-type"]) == (404, "text/html; charset=utf-8")


def test_every_response_carries_a_strict_content_security_policy(client: TestClient) -> None:
    """Pages and JSON alike: no script, only our own stylesheet; framing refused."""
    for path in ("/", "/stories", "/static/newsflow.css"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'self'")
        assert "script-src" not in headers["content-security-policy"]
        assert (headers["x-content-type-options"], headers["x-frame-options"]) == ("nosniff", "DENY")


def test_the_openapi_document_is_published(client: TestClient) -> None:
    """GET /openapi.json describes every read route and the problem schema."""
    document = client.get("/openapi.json").json()
    assert {"/stories", "/stories/{story_id}", "/articles", "/articles/{article_id}", "/sources", "/search",
            "/events", "/exports/events.tsv", "/exports/events.jsonl", "/health"} <= document["paths"].keys()
    assert "Problem" in document["components"]["schemas"]
    assert "/" not in document["paths"]  # pages are not API


def test_admin_routes_are_disabled_without_a_configured_token(client: TestClient) -> None:
    response = client.get("/admin/database", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "STORE_API_ADMIN_TOKEN" in response.json()["detail"]


def test_admin_routes_need_the_configured_token(demo_url: str) -> None:
    """With a token configured: none or a wrong one is 401, the right one answers."""
    settings = ApiSettings(DATABASE_URL=demo_url, admin_token=TOKEN)
    with TestClient(build_api(settings)) as client:
        assert client.get("/admin/database").status_code == 401
        wrong = client.get("/admin/database", headers={"authorization": "Bearer wrong-token-of-some-length"})
        assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, "Bearer")
        status = client.get("/admin/database", headers={"authorization": f"Bearer {TOKEN}"}).json()
    assert status["backend"] == "sqlite" and status["revision"]
    assert (status["stories"], status["sources"]) == (3, 7)


def test_writes_are_not_allowed(client: TestClient) -> None:
    """The API is read-only: writing to a read route is a 405 problem."""
    response = client.post("/stories", json={})
    assert (response.status_code, response.headers["content-type"]) == (405, "application/problem+json")


def test_an_unexpected_failure_is_a_500_problem(demo_url: str) -> None:
    """A bug answers a problem document, not a stack trace."""
    api = build_api(ApiSettings(DATABASE_URL=demo_url))

    @api.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(api, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert (response.status_code, response.headers["content-type"]) == (500, "application/problem+json")
    assert "secret" not in response.text
