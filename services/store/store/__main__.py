"""`python -m store`: run the writer until SIGTERM."""

from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import run_worker

from store.app import build_app, tune_garbage_collector
from store.settings import StoreSettings


def main() -> None:
    settings = StoreSettings()
    configure_logging("store", level=settings.log_level, fmt=settings.log_format)
    app = build_app(settings)
    tune_garbage_collector()
    run_worker(app, settings)


if __name__ == "__main__":
    main()
