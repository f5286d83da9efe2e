"""Open311 GeoReport v2 over the case register (docs/open311.md)."""
