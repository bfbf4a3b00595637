"""One settings object, read from the environment (12-factor) and passed explicitly.

Nothing else in wirefeed reads ``os.environ``: the worker, the CLI and the
tests build a ``Settings`` and hand it down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    pass


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    # Kafka connection
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    kafka_sasl_mechanism: str | None = None  # e.g. SCRAM-SHA-512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None

    # Topology
    app_id: str = "wirefeed"
    topic_raw: str = "wire.raw"
    topic_dedup: str = "wire.dedup"
    topic_enriched: str = "wire.enriched"
    topic_duplicates: str = "wire.duplicates"
    topic_dlq: str = "wire.dlq"
    topic_routes: str = "wire.routes"
    route_topic_prefix: str = "wire.route."
    partitions: int = 4
    dedup_shards: int = 1
    replication: int = 1
    # standby copies of each table partition on other workers (Faust's table_standby_replicas);
    # 0, as in Kafka Streams: a standby replays every changelog write of the partition it copies,
    # which tripled the CPU per item of a two-worker group (docs/performance.md, "Session 6")
    standby_replicas: int = 0
    processing_guarantee: str = "exactly_once"  # or at_least_once (README: Delivery guarantees)

    # Worker
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path("var/wirefeed")
    store: str = "rocksdb://"  # rocksdb:// (RocksDB via rocksdict) | memory://
    log_level: str = "info"
    max_message_bytes: int = 12_000_000
    max_body_chars: int = 2_000_000
    stall_seconds: float = 60.0
    ingest_metrics_port: int = 0  # `wirefeed ingest rss|feeds` serves /metrics here when > 0
    test_poison_prefix: str = ""  # tests only: an item with id "<prefix><stage>…" fails in that stage…
    test_poison_stage: str = ""  # …if it is listed here (comma-separated): poison-message drills
    test_stall_after: int = 0  # tests only: the prepare agent hangs after N messages (stall drills)
    batch_size: int = 500
    batch_wait_s: float = 0.005  # at low load one wait closes a batch: pure latency (was 0.02)
    # longest a fetch waits at the broker for new data (Faust hard-codes 1,500 ms): aiokafka has one
    # fetch in flight per broker, so a partition whose buffer ran dry waits for it (streams/faust_fetch.py)
    fetch_max_wait_ms: int = 50

    # Stage knowledge (data files)
    rules_extra: tuple[Path, ...] = field(default_factory=tuple)
    rules_replace_defaults: bool = False
    kb_extra: tuple[Path, ...] = field(default_factory=tuple)
    routes_file: Path | None = None
    dedup_horizon_s: float = 72 * 3600.0
    furniture_window_s: float = 7 * 24 * 3600.0
    furniture_min_items: int = 5
    native: bool = True  # compiled tagger/router (native/) when built; 0 forces the Python reference

    def topic_for_route(self, name: str) -> str:
        return f"{self.route_topic_prefix}{name}"

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **kw)

    def kafka_client_kwargs(self) -> dict[str, Any]:
        """Security options in aiokafka's spelling, shared by every client we create."""
        kw: dict[str, Any] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_sasl_mechanism:
            kw["sasl_mechanism"] = self.kafka_sasl_mechanism
            kw["sasl_plain_username"] = self.kafka_sasl_username
            kw["sasl_plain_password"] = self.kafka_sasl_password
        if "SSL" in self.kafka_security_protocol:
            import ssl

            ctx = ssl.create_default_context(cafile=self.kafka_ssl_cafile)
            if self.kafka_ssl_certfile:
                ctx.load_cert_chain(self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
            kw["ssl_context"] = ctx
        return kw


# environment variable -> field name; KAFKA_* keep the names Kafka users know.
_ENV: dict[str, str] = {
    "KAFKA_BOOTSTRAP": "kafka_bootstrap",
    "KAFKA_SECURITY_PROTOCOL": "kafka_security_protocol",
    "KAFKA_SASL_MECHANISM": "kafka_sasl_mechanism",
    "KAFKA_SASL_USERNAME": "kafka_sasl_username",
    "KAFKA_SASL_PASSWORD": "kafka_sasl_password",
    "KAFKA_SSL_CAFILE": "kafka_ssl_cafile",
    "KAFKA_SSL_CERTFILE": "kafka_ssl_certfile",
    "KAFKA_SSL_KEYFILE": "kafka_ssl_keyfile",
}
for _f in fields(Settings):
    if not _f.name.startswith("kafka_"):
        _ENV[f"WIREFEED_{_f.name.upper()}"] = _f.name


def _convert(name: str, raw: str) -> Any:
    default = next(f for f in fields(Settings) if f.name == name)
    typ = str(default.type)
    if typ == "int":
        return int(raw)
    if typ == "float":
        return float(raw)
    if typ == "bool":
        return _bool(raw)
    if typ == "Path":
        return Path(raw)
    if typ == "Path | None":
        return Path(raw) if raw else None
    if typ.startswith("tuple[Path"):
        return _paths(raw)
    if typ == "str | None":
        return raw or None
    return raw


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from ``env`` (default: ``os.environ``) plus explicit overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for var, name in _ENV.items():
        if var in env:
            try:
                values[name] = _convert(name, env[var])
            except ValueError as exc:
                raise SettingsError(f"{var}={env[var]!r}: {exc}") from exc
    values.update(overrides)
    s = Settings(**values)
    _validate(s)
    return s


def _validate(s: Settings) -> None:
    if s.processing_guarantee not in {"exactly_once", "at_least_once"}:
        raise SettingsError("WIREFEED_PROCESSING_GUARANTEE must be exactly_once or at_least_once")
    if s.partitions < 1 or s.dedup_shards < 1 or s.replication < 1:
        raise SettingsError("partitions, dedup_shards and replication must be >= 1")
    if not 1 <= s.fetch_max_wait_ms <= 30_000:
        raise SettingsError("WIREFEED_FETCH_MAX_WAIT_MS must be between 1 and 30000")
    if s.standby_replicas < 0:
        raise SettingsError("WIREFEED_STANDBY_REPLICAS must be >= 0")
    if s.dedup_shards > s.partitions:
        raise SettingsError("WIREFEED_DEDUP_SHARDS cannot exceed WIREFEED_PARTITIONS")
    if not s.store.startswith(("rocksdb://", "memory://")):
        raise SettingsError("WIREFEED_STORE must be rocksdb:// or memory://")


def env_documentation() -> list[tuple[str, str, Any]]:
    """(variable, field, default) rows, used by ``wirefeed settings`` and the README."""
    defaults = {f.name: f.default for f in fields(Settings)}
    return [(var, name, defaults.get(name)) for var, name in _ENV.items()]
