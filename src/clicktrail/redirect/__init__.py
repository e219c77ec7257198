"""Short-link redirects and click recording: the hot path, kept off FastAPI's machinery."""
