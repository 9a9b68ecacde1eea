"""Example programs built on Newsflow's streams (run with `python -m examples.<name>`)."""
