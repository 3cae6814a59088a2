"""The HTTP side: ingest, health, metrics and the loket page."""
