"""Customers: the people leads and sales are recorded for (spec §7.1)."""
