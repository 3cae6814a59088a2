"""Contract events: the CloudEvents envelope, one module per domain, and the topic registry."""
