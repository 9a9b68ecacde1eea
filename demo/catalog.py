"""What the demo site publishes: its sources file, its feeds' article paths and the gold story grouping."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from demo.site_server import PLACEHOLDER, SITE_ROOT

DEMO_ROOT = Path(__file__).resolve().parent
SOURCES_TEMPLATE = DEMO_ROOT / "sources.yaml"
STORIES_FILE = DEMO_ROOT / "stories.json"

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_files(root: Path = SITE_ROOT) -> list[Path]:
    return sorted([*root.glob("*/feed.xml"), *root.glob("*/feed.atom")])


def feed_article_paths(feed: Path) -> list[str]:
    """The URL paths of a feed's items (query strings dropped: they are tracking, not identity)."""
    tree = ET.fromstring(feed.read_text(encoding="utf-8").replace(PLACEHOLDER, "http://demo.invalid"))
    links = [item.findtext("link") for item in tree.iter("item")]
    links += [link.get("href") for entry in tree.iter(f"{ATOM}entry") for link in entry.iter(f"{ATOM}link")]
    return [urlsplit(link.strip()).path for link in links if link]


def article_paths(root: Path = SITE_ROOT) -> set[str]:
    """Every article the demo's feeds announce: what the pipeline must end up storing."""
    return {path for feed in feed_files(root) for path in feed_article_paths(feed)}


def gold_stories(path: Path = STORIES_FILE) -> dict[str, list[str]]:
    """Story label → article paths: how a careful reader would group the demo's articles."""
    return json.loads(path.read_text(encoding="utf-8"))


def filled_sources(base_url: str, template: Path = SOURCES_TEMPLATE) -> str:
    """The demo sources file with its placeholders pointing at a running demo site."""
    return template.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url.rstrip("/"))
