"""Assistants v1 on request: strict v1 bodies rewritten onto v2, v1 views, v1-only routes."""
