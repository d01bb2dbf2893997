"""HTTP endpoint handlers, one module per resource family."""
