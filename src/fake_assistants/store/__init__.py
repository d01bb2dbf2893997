"""The fake's state: ordered tables with cursor pagination and the lookups that raise the real 404s."""
