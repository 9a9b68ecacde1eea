"""`python -m extractor`: run the extractor worker until SIGTERM."""

import logging

from extractor.app import build_app
from extractor.settings import ExtractorSettings
from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import run_worker


def main() -> None:
    settings = ExtractorSettings()
    configure_logging("extractor", level=settings.log_level, fmt=settings.log_format)
    if settings.log_level.upper() != "DEBUG":
        # trafilatura and htmldate log every rejected page ("discarding data", "empty HTML tree")
        # at warning/error level; extractor.pipeline already logs each outcome once, with its reason
        # and correlation id, so theirs are kept for debugging only.
        for library in ("trafilatura", "htmldate", "justext", "courlan"):
            logging.getLogger(library).setLevel(logging.CRITICAL)
    run_worker(build_app(settings), settings)


if __name__ == "__main__":
    main()
