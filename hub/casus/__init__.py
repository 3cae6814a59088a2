"""The one-loket casus: one case per child, its pure rules and its Kafka runner."""
