"""Short-link domains as Dub's API shows them (issue 15)."""
