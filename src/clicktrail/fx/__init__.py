"""Exchange rates: the bundled snapshot, and newer ones an operator loads."""
