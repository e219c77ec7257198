"""The HTTP edge: dependencies, error handlers, and the routers of every slice."""
