"""The only package that knows aiokafka and FastStream: broker set-up, topics, DLQ, idempotence."""
