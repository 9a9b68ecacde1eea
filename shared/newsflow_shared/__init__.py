"""Newsflow's shared package: the message contracts every service speaks, and common plumbing."""
