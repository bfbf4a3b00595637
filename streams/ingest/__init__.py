"""Getting wire items onto ``wire.raw``: feed polling, file backfills, NewsML-G2.

Entry points for the CLI: ``feeds.load_feeds``/``feeds.feeds_from_urls`` +
``feeds.poll_forever``, ``files.ingest_file``; ``sink.KafkaSink`` is the only
Kafka-aware piece.
"""

from streams.ingest.feeds import (
    FeedConfig,
    FeedConfigError,
    entry_to_item,
    feeds_from_urls,
    load_feeds,
    poll_feed,
    poll_forever,
)
from streams.ingest.files import IngestSummary, ingest_file
from streams.ingest.metrics import IngestMetrics
from streams.ingest.newsml import NewsMLError, newsml_to_items, parse_newsml
from streams.ingest.sink import KafkaSink, ListSink, Sink
from streams.ingest.state import SeenStore

__all__ = [
    "FeedConfig",
    "FeedConfigError",
    "IngestMetrics",
    "IngestSummary",
    "KafkaSink",
    "ListSink",
    "NewsMLError",
    "SeenStore",
    "Sink",
    "entry_to_item",
    "feeds_from_urls",
    "ingest_file",
    "load_feeds",
    "newsml_to_items",
    "parse_newsml",
    "poll_feed",
    "poll_forever",
]
