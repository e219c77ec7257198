"""Workspaces: the tenant every link, click, key and event belongs to."""
