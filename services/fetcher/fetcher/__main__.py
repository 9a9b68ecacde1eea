"""`python -m fetcher`: poll the configured feeds until SIGTERM, publishing raw articles."""

import logging
import sys

from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import run_worker
from pydantic import ValidationError

from fetcher.app import build_app
from fetcher.settings import FetcherSettings
from fetcher.sources import SourcesFileError


def main() -> None:
    try:
        settings = FetcherSettings()
    except ValidationError as exc:
        sys.exit(f"fetcher: invalid configuration (FETCHER_* environment variables):\n{exc}")
    log = configure_logging("fetcher", level=settings.log_level, fmt=settings.log_format)
    # httpx logs every request at INFO; failures are logged by the poller with the source, and counted.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        app = build_app(settings)
    except SourcesFileError as exc:
        log.error("unusable sources file", error=str(exc))
        sys.exit(f"fetcher: {exc}")
    run_worker(app, settings)


if __name__ == "__main__":
    main()
