"""Small, dependency-free helpers: ids, time, crypto."""
