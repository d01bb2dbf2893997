"""The sans-IO core: wire values, clock, ids, errors and their catalog, SSE framing, shared types."""
