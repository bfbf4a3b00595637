"""The worker's /status page in a real browser (Debian's headless Chromium).

A real worker processes the bundled sample feed through a real broker; Chromium
renders /status, takes a screenshot (kept next to the test's tmp files, its path
printed) and dumps the DOM it built, which must show the stage table with the
items counted, the routes the sample reached and the DLQ reasons.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support import SAMPLE, Worker, free_port, namespace_env, produce

pytestmark = pytest.mark.kafka

STAGES = ("parse", "strip", "tag", "fingerprint", "dedup", "route")


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed (Debian package chromium; run deploy/system-deps.sh)")
    return exe


def _run_chromium(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=90)


class _Tables(HTMLParser):
    """Tables of the rendered DOM as {heading before it: [[cell, ...], ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._heading = ""
        self._in_h2 = False
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._in_h2, self._heading = True, ""
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._heading.strip()] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self._heading += data
        if self._cell is not None:
            self._cell.append(data)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def env(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return namespace_env(kafka_bootstrap, tmp=tmp_path_factory.mktemp("page"), web_port=free_port())


@pytest.fixture(scope="module")
def worker(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    _chromium()  # skip before paying for a worker
    w = Worker(env, tmp_path_factory.mktemp("page-logs") / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=4)
        lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
        produce(env["KAFKA_BOOTSTRAP"], env["WIREFEED_TOPIC_RAW"], [(None, line) for line in lines])
        deadline = time.time() + 60
        while time.time() < deadline:
            st = w.status()
            done = st["stages"].get("parse", {}).get("in", 0) == len(lines)
            if done and sum(st["produced"].get(k, 0) for k in ("enriched", "duplicates", "dlq")) \
                    + st["dedup"].get("redelivery", 0) == len(lines):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"sample not processed:\n{w.tail_log()}")
        yield w
    finally:
        w.stop()


def test_status_page_renders_in_headless_chromium(worker: Worker, tmp_path: Path) -> None:
    exe = _chromium()
    expected = worker.status()
    shot = tmp_path / "status.png"
    r = _run_chromium(exe, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,1600",
                      worker.url + "/status")
    assert shot.exists(), r.stderr.decode(errors="replace")[-2000:]
    png = shot.read_bytes()
    assert _png_size(png) == (1280, 1600)
    # a blank page compresses to a few KB; tables of text do not
    assert len(png) > 30_000, len(png)
    print(f"screenshot: {shot} ({len(png)} bytes)")

    r = _run_chromium(exe, tmp_path / "profile-dom", "--dump-dom", worker.url + "/status")
    dom = r.stdout.decode()
    assert r.returncode == 0 and "<table" in dom, r.stderr.decode(errors="replace")[-2000:]
    assert "<title>wirefeed worker status</title>" in dom
    assert re.search(r'class="ok">ready<', dom), "badge should say ready"

    parser = _Tables()
    parser.feed(dom)
    tables = parser.tables
    stage_rows = tables["Stages"]
    assert stage_rows[0] == ["stage", "in", "out", "errors", "items/s (since last view)"]
    shown = {row[0]: [int(x) for x in row[1:4]] for row in stage_rows[1:]}
    assert all(float(row[4]) >= 0 for row in stage_rows[1:])
    assert set(STAGES) <= set(shown)
    for stage, (n_in, n_out, n_err) in shown.items():
        counts = expected["stages"][stage]
        assert (n_in, n_out, n_err) == (counts["in"], counts["out"], counts["errors"]), stage
        assert n_in == n_out + n_err
    assert shown["parse"][0] == len([x for x in SAMPLE.read_bytes().splitlines() if x.strip()])

    routes = {row[0]: int(row[1]) for row in tables["Routes"][1:]}
    assert routes["syria"] >= 1 and routes["russia-us"] >= 1, routes
    assert "(unrouted)" in routes
    expected_routes = {k: int(v) for k, v in expected["routes"].items()}
    assert routes == {**expected_routes, "(unrouted)": int(expected["unrouted"])}

    dlq_reasons = sorted(row[1] for row in tables["Recent DLQ records"][1:])
    assert dlq_reasons == ["invalid_json", "missing_body"]
    lag = tables["Consumer lag"][1:]
    assert {row[0] for row in lag} == {x["topic"] for x in expected["lag"]}
    assert len(lag) == 4  # 2 raw + 2 dedup partitions
