"""The HTTP API without an HTTP library: routing, request validation, operations and endpoint handlers."""
