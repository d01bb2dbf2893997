"""The request pipeline's layers: each one cross-cutting concern around the route handler."""
