"""Stored objects, their wire shapes and their status tables."""
