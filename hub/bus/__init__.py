"""The only package that knows the Kafka client: processors, transactions, topics, DLQ."""
