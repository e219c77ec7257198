"""`GET /qr`: a QR code image of a URL, as Dub serves it."""
