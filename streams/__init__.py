"""wirefeed: a streaming processor for news wire feeds."""

__version__ = "0.1.0"
KAFKA_VERSION = "4.0.2"  # the broker version deploy/kafka pins and the tests run against
