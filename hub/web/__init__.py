"""The HTTP side: ingest, health, metrics and the signed-in loket."""
