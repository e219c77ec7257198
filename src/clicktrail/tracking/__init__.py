"""Conversion tracking: `/track/lead`, `/track/sale` and the older `/track/customer`."""
