"""The onderwijs–jeugd hub: pseudonymised contract events on Apache Kafka around one child."""

__version__ = "0.1.0"
