"""Domain operations (moto's models.py role): what a request does to the fake's state, apart from HTTP.

An operation takes the context and validated values (request models, ids, flags), changes the store
and returns the stored objects; it never sees a Call, a query string, a raw body or a response. An
endpoint handler parses and validates the request, calls operations, and shapes the wire answer.
Handlers read the store directly for plain lookups; everything that creates, changes or deletes state,
or lets time act on it (file expiry, ingestion progress, store expiry), is an operation here. Checks
that need the state (a live store, no active run) are made here too, in the order the real service
made them.
"""
