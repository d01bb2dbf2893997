"""Runs in motion: the engine, scripted turns, progression policies, ingestion, search and citations."""
