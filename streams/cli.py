"""The ``wirefeed`` command line.

wirefeed worker                      run a Faust worker (Kafka)
wirefeed process [IN] [-o OUT] [--dlq DLQ] [-j N]   the same chain offline, JSONL in/out
wirefeed topics                      create the topology's topics
wirefeed ingest file PATH|-          backfill JSONL / ninjs / NewsML-G2 into wire.raw
wirefeed ingest rss URL...           poll RSS/Atom feeds into wire.raw
wirefeed ingest feeds FILE           poll the feeds listed in a YAML file
wirefeed tail ROUTE|TOPIC            follow a route topic, one readable line per item
wirefeed routes push|list|test       live route rule sets
wirefeed report                      what arrived on every output topic (used by `make run`)
wirefeed furniture [--reset [SRC]]   learned per-source boilerplate on a running worker
wirefeed settings                    every environment variable and its default
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from streams.settings import Settings, SettingsError, env_documentation, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"wirefeed: bad setting: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirefeed", description="Streaming processor for news wire feeds.")
    sub = p.add_subparsers(metavar="COMMAND")

    w = sub.add_parser("worker", help="run a Faust worker against Kafka")
    w.set_defaults(func=cmd_worker)

    pr = sub.add_parser("process", help="run the stage chain offline on a JSONL file or stdin")
    pr.add_argument("input", nargs="?", default="-", help="JSONL input (default: stdin)")
    pr.add_argument("-o", "--output", default="-", help="enriched JSONL output (default: stdout)")
    pr.add_argument("--dlq", default=None, help="write DLQ records here (default: stderr)")
    pr.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=1,
        help="prepare in this many processes, finish (dedup) in this one (default: 1)",
    )
    pr.set_defaults(func=cmd_process)

    t = sub.add_parser("topics", help="create the topology's topics (idempotent)")
    t.set_defaults(func=cmd_topics)

    ing = sub.add_parser("ingest", help="put wire items on wire.raw").add_subparsers(metavar="SOURCE")
    f = ing.add_parser("file", help="backfill JSONL, ninjs or NewsML-G2 (PATH or - for stdin)")
    f.add_argument("path")
    f.add_argument("--no-progress", action="store_true")
    f.add_argument("--json", action="store_true", help="print the closing summary as JSON too")
    f.set_defaults(func=cmd_ingest_file)
    r = ing.add_parser("rss", help="poll RSS/Atom feeds given by URL")
    r.add_argument("urls", nargs="+")
    r.add_argument("--source", default=None, help="source name (default: the feed's host)")
    r.add_argument("--language", default=None)
    r.add_argument("--interval", type=float, default=300.0, help="seconds between polls")
    r.add_argument("--once", action="store_true", help="poll each feed once and exit")
    r.add_argument("--state-dir", default=None, help="where sent-entry state is kept (default: data dir)")
    r.set_defaults(func=cmd_ingest_rss)
    fd = ing.add_parser("feeds", help="poll the feeds listed in a YAML file")
    fd.add_argument("file")
    fd.add_argument("--once", action="store_true")
    fd.add_argument("--concurrency", type=int, default=4)
    fd.add_argument("--state-dir", default=None)
    fd.set_defaults(func=cmd_ingest_feeds)

    tl = sub.add_parser("tail", help="follow a route topic (or any wire.* topic)")
    tl.add_argument("route", help="route name (e.g. syria) or a full topic name (e.g. wire.dlq)")
    tl.add_argument("--from-beginning", action="store_true")
    tl.add_argument("--json", action="store_true", help="print each record as JSON")
    tl.add_argument("--max", type=int, default=None, help="stop after N records")
    tl.add_argument("--idle-exit", type=float, default=None, help="stop after S seconds without records")
    tl.set_defaults(func=cmd_tail)

    ro = sub.add_parser("routes", help="route rule sets").add_subparsers(metavar="ACTION")
    rp = ro.add_parser("push", help="validate FILE and publish it to wire.routes (live on every worker)")
    rp.add_argument("file")
    rp.set_defaults(func=cmd_routes_push)
    rl = ro.add_parser("list", help="the rule set in force on wire.routes")
    rl.set_defaults(func=cmd_routes_list)
    rt = ro.add_parser("test", help="which items of ITEMS.jsonl match which routes of FILE, and why")
    rt.add_argument("file")
    rt.add_argument("items")
    rt.add_argument("--json", action="store_true")
    rt.add_argument("--all", action="store_true", help="also explain routes that did not match")
    rt.set_defaults(func=cmd_routes_test)

    rep = sub.add_parser("report", help="summarise what arrived on the output topics")
    rep.add_argument("--idle", type=float, default=3.0, help="stop reading after S idle seconds")
    rep.set_defaults(func=cmd_report)

    fu = sub.add_parser("furniture", help="learned per-source boilerplate on a running worker")
    fu.add_argument(
        "--reset",
        nargs="?",
        const="",
        default=None,
        metavar="SOURCE",
        help="forget what was learned (for SOURCE, or for all sources)",
    )
    fu.add_argument("--worker", default=None, help="worker URL (default: http://WEB_HOST:WEB_PORT)")
    fu.set_defaults(func=cmd_furniture)

    st = sub.add_parser("settings", help="list environment variables and defaults")
    st.set_defaults(func=cmd_settings)
    return p


# ---- worker ----------------------------------------------------------------
def cmd_worker(args: argparse.Namespace, s: Settings) -> int:
    import logging

    import uvloop

    from streams import kafka_io
    from streams.app import Wirefeed
    from streams.knowledge import load_knowledge

    logging.basicConfig(level=s.log_level.upper(), format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    knowledge = load_knowledge(s)
    asyncio.run(kafka_io.wait_for_broker(s))
    asyncio.run(kafka_io.ensure_topics(s, [r.name for r in knowledge.routes.routes]))
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.set_event_loop(asyncio.new_event_loop())
    wf = Wirefeed(s, knowledge)
    from faust.worker import Worker

    from streams.gc_tuning import tune_for_long_runs

    tune_for_long_runs()

    running = _mark_running(s, wf)
    worker = Worker(wf.app, loglevel=s.log_level, quiet=True, redirect_stdouts=False, override_logging=False)
    clean = False
    try:
        worker.execute_from_commandline()
        clean = True
    except SystemExit as exc:
        clean = exc.code in (0, None)
        raise
    finally:
        if clean:
            running.unlink(missing_ok=True)
    return 0


def _mark_running(s: Settings, wf: Any) -> Path:
    """Rebuild local state from the changelogs when the last run did not stop cleanly.

    Under exactly-once, state changes reach the changelogs only inside committed
    transactions, but the local RocksDB store is written before the commit: after a
    crash it can hold a batch that never committed. Kafka Streams solves this the
    same way: no clean-shutdown marker, no trusted local state.
    """
    import logging
    import shutil

    marker = s.data_dir / ".worker-running"
    if marker.exists() and s.processing_guarantee == "exactly_once":
        logging.getLogger("wirefeed").warning(
            "the last run did not stop cleanly: rebuilding local state from the changelogs"
        )
        shutil.rmtree(wf.app.conf.tabledir, ignore_errors=True)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    return marker


# ---- offline ---------------------------------------------------------------
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _lines(path: str) -> Iterator[bytes]:
    stream: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        for line in stream:
            if line.strip():
                yield line.rstrip(b"\r\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def cmd_process(args: argparse.Namespace, s: Settings) -> int:
    from streams.gc_tuning import tune_for_long_runs
    from streams.knowledge import load_knowledge
    from streams.offline import JobFailed, outcomes

    k = load_knowledge(s)
    tune_for_long_runs()  # before forking jobs: they share the frozen start-up objects
    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")  # noqa: SIM115
    dlq = sys.stderr.buffer if args.dlq is None else open(args.dlq, "wb")  # noqa: SIM115
    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    try:
        for o in outcomes(_lines(args.input), k, jobs=args.jobs, topic=args.input):
            counts[o.kind] = counts.get(o.kind, 0) + 1
            target = dlq if o.kind == "dlq" else out
            target.write(o.value + b"\n")
    except JobFailed as exc:
        print(f"wirefeed process: {exc}", file=sys.stderr)
        return 1
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        if dlq is not sys.stderr.buffer:
            dlq.close()
    dt = time.perf_counter() - t0
    total = sum(counts.values())
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"wirefeed process: {total} lines in {dt:.2f} s ({summary})", file=sys.stderr)
    return 0


# ---- Kafka helpers -----------------------------------------------------------
def cmd_topics(args: argparse.Namespace, s: Settings) -> int:
    from streams import kafka_io
    from streams.pipeline.route_lang import load_routes

    routes = [r.name for r in load_routes(s.routes_file).routes]
    asyncio.run(kafka_io.ensure_topics(s, routes))
    print(
        "topics ready:",
        s.topic_raw,
        s.topic_dedup,
        s.topic_enriched,
        s.topic_duplicates,
        s.topic_dlq,
        s.topic_routes,
        *(s.topic_for_route(r) for r in routes),
    )
    return 0


def cmd_ingest_file(args: argparse.Namespace, s: Settings) -> int:
    from streams.ingest.files import ingest_file
    from streams.ingest.sink import KafkaSink

    async def go() -> Any:
        async with KafkaSink(s.kafka_bootstrap, s.topic_raw, **s.kafka_client_kwargs()) as sink:
            return await ingest_file(args.path, sink, progress=not args.no_progress)

    summary = asyncio.run(go())
    if args.json:
        print(orjson.dumps(summary.to_dict()).decode())
    return 0 if summary.ok else 1


def _state_dir(s: Settings, given: str | None) -> Path:
    return Path(given) if given else s.data_dir / "ingest"


def cmd_ingest_rss(args: argparse.Namespace, s: Settings) -> int:
    from streams.ingest.feeds import feeds_from_urls

    feeds = feeds_from_urls(args.urls, source=args.source, language=args.language, interval_s=args.interval)
    return _poll(s, feeds, once=args.once, concurrency=4, state_dir=_state_dir(s, args.state_dir))


def cmd_ingest_feeds(args: argparse.Namespace, s: Settings) -> int:
    from streams.ingest.feeds import FeedConfigError, load_feeds

    try:
        feeds = load_feeds(Path(args.file))
    except FeedConfigError as exc:
        print(f"wirefeed: {exc}", file=sys.stderr)
        return 2
    return _poll(
        s, feeds, once=args.once, concurrency=args.concurrency, state_dir=_state_dir(s, args.state_dir)
    )


def _poll(s: Settings, feeds: list[Any], *, once: bool, concurrency: int, state_dir: Path) -> int:
    import signal

    from prometheus_client import start_http_server

    from streams.ingest.feeds import poll_forever
    from streams.ingest.metrics import IngestMetrics
    from streams.ingest.sink import KafkaSink
    from streams.ingest.state import SeenStore

    metrics = IngestMetrics()
    if s.ingest_metrics_port:
        start_http_server(s.ingest_metrics_port, addr=s.web_host)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        state_dir.mkdir(parents=True, exist_ok=True)
        with SeenStore.in_dir(state_dir) as state:
            async with KafkaSink(s.kafka_bootstrap, s.topic_raw, **s.kafka_client_kwargs()) as sink:
                await poll_forever(
                    feeds, sink, state, concurrency=concurrency, once=once, stop=stop, metrics=metrics
                )

    asyncio.run(go())
    return 0


def _topic_for(s: Settings, name: str) -> str:
    return name if name.startswith("wire.") or "." in name else s.topic_for_route(name)


def format_item(rec: dict[str, Any], topic: str) -> str:
    """One readable line for a route/enriched/duplicates/DLQ record."""
    if "original_b64" in rec:
        return f"{rec.get('failed_at', '')}  DLQ  {rec.get('reason')}@{rec.get('stage')}  {rec.get('detail')}"
    t = (rec.get("processed_at") or "")[:19].replace("T", " ")
    ents = ", ".join(e["name"] for e in rec.get("entities", [])[:5])
    d = rec.get("dedup") or {}
    status = d.get("status", "")
    tag = status if status != "unique" else ""
    if status in ("duplicate", "update") and d.get("of"):
        tag = f"{status} of {d['of']}" + (f" ({d['reason']})" if d.get("reason") else "")
    route = topic.rsplit(".", 1)[-1]
    reasons = (rec.get("route_reasons") or {}).get(route) or []
    head = rec.get("headline") or (rec.get("body") or "")[:80]
    out = f"{t}  [{rec.get('source')}] {head}" + (f"  <{tag}>" if tag else "")
    if reasons:
        out += f"\n    because {reasons[0][:200]}"
    if ents:
        out += f"\n    entities: {ents}"
    return out


def cmd_tail(args: argparse.Namespace, s: Settings) -> int:
    from streams import kafka_io

    topic = _topic_for(s, args.route)

    async def go() -> int:
        n = 0
        async for rec in kafka_io.read_topics(
            s,
            [topic],
            from_beginning=args.from_beginning,
            follow=args.idle_exit is None,
            idle_timeout=args.idle_exit or 3.0,
        ):
            value = orjson.loads(rec.value) if rec.value else {}
            if args.json:
                sys.stdout.write(orjson.dumps(value).decode() + "\n")
            else:
                sys.stdout.write(format_item(value, topic) + "\n")
            sys.stdout.flush()
            n += 1
            if args.max is not None and n >= args.max:
                break
        return n

    asyncio.run(go())
    return 0


def cmd_routes_push(args: argparse.Namespace, s: Settings) -> int:
    from streams import kafka_io
    from streams.pipeline.route_lang import RouteSyntaxError, parse_routes
    from streams.route_updates import RULESET_KEY, encode_ruleset

    text = Path(args.file).read_text(encoding="utf-8")
    try:
        rules = parse_routes(text, origin=args.file)
    except RouteSyntaxError as exc:
        print(f"wirefeed: not pushed: {exc}", file=sys.stderr)
        return 2

    async def go() -> None:
        await kafka_io.ensure_topics(s, [r.name for r in rules.routes])
        async with kafka_io.producer(s) as p:
            await p.send_and_wait(s.topic_routes, encode_ruleset(text, args.file), key=RULESET_KEY)

    asyncio.run(go())
    print(
        f"pushed rule set {rules.version} ({len(rules.routes)} routes: "
        f"{', '.join(r.name for r in rules.routes)}) to {s.topic_routes}"
    )
    return 0


def cmd_routes_list(args: argparse.Namespace, s: Settings) -> int:
    from streams import kafka_io
    from streams.pipeline.route_lang import RouteSyntaxError, load_routes, parse_routes
    from streams.route_updates import decode_ruleset

    async def history() -> list[bytes]:
        return [
            rec.value
            async for rec in kafka_io.read_topics(s, [s.topic_routes], idle_timeout=2.0)
            if rec.value
        ]

    rules, origin, rejected = load_routes(s.routes_file), "packaged defaults (nothing pushed yet)", []
    for value in asyncio.run(history()):  # workers apply the newest *valid* rule set
        try:
            text, where = decode_ruleset(value)
            rules, origin, rejected = parse_routes(text, origin=where), where, []
        except (RouteSyntaxError, ValueError) as exc:
            rejected.append(str(exc))
    print(f"rule set {rules.version} from {origin}")
    for r in rules.routes:
        desc = " ".join((getattr(r, "description", "") or "").split())
        print(f"  {r.name:<16} -> {s.topic_for_route(r.name):<28} {desc[:90]}")
    for err in rejected:
        print(f"  (a later push was rejected by the workers: {err})")
    return 0


def cmd_routes_test(args: argparse.Namespace, s: Settings) -> int:
    from streams.knowledge import load_knowledge
    from streams.pipeline import chain, route
    from streams.pipeline.route_lang import RouteSyntaxError, parse_routes
    from streams.pipeline.types import Entity, Mention, TagResult

    try:
        rules = parse_routes(Path(args.file).read_text(encoding="utf-8"), origin=args.file)
    except RouteSyntaxError as exc:
        print(f"wirefeed: {exc}", file=sys.stderr)
        return 2
    k = load_knowledge(s)
    state = chain.State()
    for n, line in enumerate(_lines(args.items), 1):
        obj = orjson.loads(line)
        if isinstance(obj, dict) and "entities" in obj and "countries" in obj:  # already enriched
            tags = TagResult(
                [
                    Entity(
                        e["id"],
                        e["name"],
                        e["type"],
                        e.get("country"),
                        e["count"],
                        [Mention(m["field"], m["start"], m["end"]) for m in e.get("mentions", [])],
                    )
                    for e in obj["entities"]
                ],
                list(obj["countries"]),
            )
            headline, body = obj.get("headline", ""), obj.get("body", "")
            source, language, item_id = obj.get("source", ""), obj.get("language"), obj.get("id")
        else:
            p = chain.prepare(line, k, state)
            if isinstance(p, chain.Outcome):
                print(f"line {n}: rejected: {p.record['reason']}: {p.record['detail']}")
                continue
            tags, headline, body = p.tags, p.cleaned.headline, p.cleaned.body
            source, language, item_id = p.item.source, p.item.language, p.item.id
        kw = dict(headline=headline, body=body, tags=tags, source=source, language=language)
        result = route.route(rules, **kw)
        if args.json:
            print(
                orjson.dumps(
                    {
                        "line": n,
                        "id": item_id,
                        "routes": result.routes,
                        "reasons": result.reasons,
                        **({"explain": route.explain(rules, **kw)} if args.all else {}),
                    }
                ).decode()
            )
            continue
        print(f"{item_id}: {headline[:90]}")
        if not result.routes:
            print("    (no route)")
        for r in result.routes:
            print(f"    -> {r}: " + "; ".join(result.reasons.get(r, [])))
        if args.all:
            for name, ex in route.explain(rules, **kw).items():
                if name not in result.routes:
                    print(f"    x  {name}: {orjson.dumps(ex).decode()[:300]}")
    return 0


def cmd_report(args: argparse.Namespace, s: Settings) -> int:
    from streams import kafka_io
    from streams.pipeline.route_lang import load_routes

    async def go() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        topics = [s.topic_enriched, s.topic_duplicates, s.topic_dlq]
        routes = {r.name for r in load_routes(s.routes_file).routes}
        from aiokafka import AIOKafkaConsumer

        c = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, **s.kafka_client_kwargs())
        await c.start()
        try:
            admin_topics = [t for t in await c.topics() if t.startswith(s.route_topic_prefix)]
        finally:
            await c.stop()
        topics += sorted(set(admin_topics) | {s.topic_for_route(r) for r in routes})
        async for rec in kafka_io.read_topics(s, topics, idle_timeout=args.idle):
            out.setdefault(rec.topic, []).append(orjson.loads(rec.value) if rec.value else {})
        return out

    got = asyncio.run(go())
    for topic in sorted(got, key=lambda t: (not t.startswith(s.route_topic_prefix), t)):
        recs = got[topic]
        print(f"\n== {topic}: {len(recs)} message(s)")
        for rec in recs:
            print("  " + format_item(rec, topic).replace("\n", "\n  "))
    print(
        f"\nmetrics: http://{s.web_host}:{s.web_port}/metrics   status: http://{s.web_host}:{s.web_port}/status"
    )
    return 0


def cmd_furniture(args: argparse.Namespace, s: Settings) -> int:
    import urllib.parse
    import urllib.request

    base = args.worker or f"http://{s.web_host}:{s.web_port}"
    if args.reset is not None:
        q = f"?source={urllib.parse.quote(args.reset)}" if args.reset else ""
        req = urllib.request.Request(f"{base}/furniture{q}", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            print(resp.read().decode())
        return 0
    with urllib.request.urlopen(f"{base}/furniture", timeout=10) as resp:
        learned = orjson.loads(resp.read())
    if not learned:
        print("nothing learned yet")
    for source, lines in sorted(learned.items()):
        print(f"{source}:")
        for entry in lines:
            print(f"    {entry.get('items', '?'):>4} items  {entry.get('line', '')}")
    return 0


def cmd_settings(args: argparse.Namespace, s: Settings) -> int:
    for var, name, default in env_documentation():
        current = getattr(s, name)
        print(f"{var:<36} {current!s:<40} (default {default!s})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
