"""A fake on a socket: the ASGI app, the control API, the threaded server and the CLI."""
