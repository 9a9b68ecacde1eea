"""Newsflow's extractor: turns each fetched HTML page into a structured article."""
