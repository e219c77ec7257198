"""Benchmarks run against a real server and a generated data set (see bench/README.md)."""
