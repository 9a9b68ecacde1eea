"""Newsflow's fetcher: turns outlets' feeds into one raw-article message per new article page."""
