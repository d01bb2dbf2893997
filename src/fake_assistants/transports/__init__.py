"""Adapters from HTTP client libraries to the sans-IO core. Each imports only its own library."""
