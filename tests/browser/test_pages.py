"""The pages in real headless Chromium: what a reader sees, and that hostile titles stay text."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.unit.api.newsroom import DEMO_STORIES, HOSTILE_TITLE, KURSK, RATES

# Kursk's outlets (demo ratings): 2 center, 1 lean left, 1 lean right, 1 unrated → of the 4 rated,
# left 25%, center 50%, right 25%.
KURSK_SHARES = {"Left": 25, "Center": 50, "Right": 25}


def legend_row(legend, label: str):
    return legend.locator("li").filter(has=legend.page.get_by_text(label, exact=True))


def open_story(page: Page, site: str, sources: int) -> None:
    page.goto(site + "/")
    label = f"{sources} source" + ("" if sources == 1 else "s")
    card = page.locator(".story-card").filter(has=page.locator(".sources", has_text=re.compile(f"^{label}$")))
    card.get_by_role("link").click()
    expect(page.locator("h1")).to_be_visible()


def test_the_front_page_lists_the_demo_stories(page: Page, site: str) -> None:
    """Every story is listed with its article and source counts and a bias bar, latest first."""
    page.goto(site + "/")
    expect(page).to_have_title("Latest stories · Newsflow")
    cards = page.locator(".story-card")
    expect(cards).to_have_count(len(DEMO_STORIES))
    expect(cards.nth(0).locator(".articles")).to_have_text("1 article")
    expect(cards.nth(1).locator(".sources")).to_have_text(f"{len(RATES.reports)} sources")
    expect(cards.nth(2).locator(".articles")).to_have_text(f"{len(KURSK.reports)} articles")
    expect(cards.nth(2).get_by_role("img")).to_have_attribute(
        "aria-label", "Bias distribution: Left 25%, Center 50%, Right 25% (1 unrated)")
    expect(cards.nth(1).locator(".bar-caption")).to_have_text("Left 33%, Center 33%, Right 33%")
    screenshot(page, "front-page")


def test_the_story_page_shows_counts_and_percentages(page: Page, site: str) -> None:
    """The Kursk page: coverage details, '50% of the sources are Center', each side's share, articles."""
    open_story(page, site, sources=5)
    details = page.locator(".details")
    expect(details.locator("div").filter(has_text="Total news sources").locator("dd")).to_have_text("5")
    for side, sources in (("left", 1), ("center", 2), ("right", 1)):
        expect(details.locator("div").filter(has_text=f"Leaning {side}").locator("dd")).to_have_text(str(sources))
    expect(details.locator("div").filter(has_text="First reported by")).to_contain_text("Capital Wire")
    expect(page.locator(".headline")).to_have_text("50% of the sources are Center")
    legend = page.locator("#bias-heading ~ .legend")
    for label, percent in KURSK_SHARES.items():
        expect(legend_row(legend, label).locator("strong")).to_have_text(f"{percent}%")
    factuality = page.locator("#factuality-heading ~ .legend")
    # Factuality of the 4 rated outlets: high 2 (Northwind, Meridian), very high 1, mixed 1.
    for label, percent in (("Very High", 25), ("High", 50), ("Mixed", 25)):
        expect(legend_row(factuality, label).locator("strong")).to_have_text(f"{percent}%")
    expect(page.locator(".article")).to_have_count(len(KURSK.reports))
    expect(page.locator("#group-center ~ ul .article")).to_have_count(2)
    first = page.locator(".article").filter(has_text="Harbor Ledger")
    expect(first.locator(".badge")).to_have_text("Lean Right")
    expect(first.get_by_role("link")).to_have_attribute(
        "href", "https://harbor-ledger.example/north-korean-military-builders-headed-for-kursk.html")
    expect(page.locator(".key-numbers")).to_contain_text("6,000")
    expect(page.locator(".timeline svg rect")).not_to_have_count(0)
    screenshot(page, "story-page")


def test_hostile_titles_are_shown_as_text_and_run_nothing(page: Page, site: str) -> None:
    """A title holding <script> and <b> shows those characters; no script runs and no element is made."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site + "/")
    expect(page.locator(".story-card h2").first).to_have_text(HOSTILE_TITLE)
    open_story(page, site, sources=1)
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    expect(page).to_have_title(re.compile(r"^<script>"))  # the text, not a title the script set
    assert page.locator("main script, main b, main img").count() == 0
    assert page.evaluate("document.title") != "pwned"
    assert errors == []
    screenshot(page, "hostile-story-page")


def test_pages_work_without_javascript(browser: object, site: str) -> None:
    """With script disabled the front page and story page read the same."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_story(page, site, sources=3)
    expect(page.locator(".headline")).to_contain_text("33% of the sources are Left")
    context.close()


def test_keyboard_focus_is_visible(page: Page, site: str) -> None:
    """Tab reaches the skip link first, and a focused link draws an outline."""
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
