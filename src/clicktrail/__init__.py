"""clicktrail: self-hosted link attribution and conversion tracking, wire-compatible with Dub."""

__version__ = "0.1.0"
