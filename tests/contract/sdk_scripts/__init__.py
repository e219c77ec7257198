"""Client scripts for the contract tests: each drives one generation of Dub's Python SDK and
runs in that generation's own virtualenv (see harness.py)."""
