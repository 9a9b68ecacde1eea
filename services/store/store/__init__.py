"""Newsflow's store: persists extracted articles, groups them into stories, serves the read API."""
