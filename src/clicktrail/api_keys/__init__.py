"""API keys: shown once, stored as a keyed hash, and the key decides the workspace."""
