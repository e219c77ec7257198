"""The web dashboard under /dashboard: server-rendered pages over the API's own services."""
