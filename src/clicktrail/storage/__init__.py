"""Engines and sessions, group commit, the link cache and other infrastructure behind interfaces."""
