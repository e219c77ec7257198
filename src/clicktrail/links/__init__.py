"""Links: the short links that clicks, leads and sales are attributed to."""
