"""The README, docker-compose.yml and the Kafka pom agree with the code."""

from __future__ import annotations

import re

import yaml
from prometheus_client import CollectorRegistry

from streams import KAFKA_VERSION
from streams.cli import _parser
from streams.metrics import Metrics
from streams.settings import env_documentation
from tests.support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_metric_is_in_the_readme_catalogue() -> None:
    registry = CollectorRegistry()
    Metrics(registry)
    names = set()
    for family in registry.collect():
        kind = family.type
        names.add(f"{family.name}_total" if kind == "counter" else family.name)
    missing = sorted(n for n in names if f"| `{n}` |" not in README)
    assert not missing, f"metrics missing from the README catalogue: {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    commands = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested:
            commands += [f"wirefeed {name} {n}" for n in nested[0].choices]
        else:
            commands.append(f"wirefeed {name}")
    missing = [c for c in commands if c not in README]
    assert not missing, f"commands missing from the README: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    missing = []
    for var, _field, _default in env_documentation():
        if var in README:
            continue
        short = "…_" + var.removeprefix("WIREFEED_TOPIC_")
        if var.startswith("WIREFEED_TOPIC_") and short in README:
            continue
        missing.append(var)
    assert not missing, f"settings missing from the README: {missing}"


def test_docker_compose_matches_the_code() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    known = {var for var, _, _ in env_documentation()}
    for var in services["worker"]["environment"]:
        assert var in known, f"docker-compose sets unknown variable {var}"
    assert services["worker"]["environment"]["WIREFEED_WEB_HOST"] == "0.0.0.0"
    assert (REPO / services["worker"]["build"]["dockerfile"]).exists()
    for svc in ("prometheus", "grafana"):
        for vol in services[svc]["volumes"]:
            src = vol.split(":")[0]
            assert (REPO / src).exists(), f"{svc} mounts missing {src}"
    env = services["kafka"]["environment"]
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == 1
    assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == 1


def test_the_pinned_kafka_version_is_the_one_the_pom_assembles() -> None:
    pom = (REPO / "deploy" / "kafka" / "pom.xml").read_text()
    assert re.search(rf"<kafka.version>{re.escape(KAFKA_VERSION)}</kafka.version>", pom)
    assert f"Kafka version: {KAFKA_VERSION}, pinned" in README
