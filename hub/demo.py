"""The main job: local Kafka, the hub, sample partners posting over HTTP, and the loket."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from hub.adapters.report import IngestReport
from hub.bus import client
from hub.bus.scan import list_topics, read_to_end, scan_topics
from hub.casus.loket import load_states, render_loket
from hub.events.days import local_date
from hub.events.topics import AUDIENCES, AUDIT, DLQ, physical_name, view_topic
from hub.privacy.keyring import complete_dev_keyring, init_keyring
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings
from hub.web.tokens import PartnerTokens

DEMO_PREFIX = "demo-"

# Made-up BSNs that pass the 11-proef: if one ever reached the bus, the leak scanner would say so.
KIND_A = "111222333"  # verzuim, a zorgsignaal, three partners: match and regie
KIND_B = "123456782"  # a thuiszitter whose clock runs; leerplicht and the SWV
KIND_C = "232262536"  # four sick reports in twelve weeks: M@ZL for JGZ
ONGELDIG = "123456789"  # fails the 11-proef: the school's bad row


@dataclass
class Post:
    """One partner's delivery: which feed, what body, what the hub answered."""

    partner: str
    feed: str
    body: bytes
    content_type: str
    status: int = 0
    report: IngestReport | None = None


@dataclass
class DemoResult:
    """What the demo saw; `ok` when every step showed what it should."""

    posts: list[Post] = field(default_factory=list)
    repost: Post | None = None
    views: dict[str, Counter[str]] = field(default_factory=dict)
    audit_records: int = 0
    dead_letters: Counter[str] = field(default_factory=Counter)
    pii_findings: int = -1
    cases: int = 0
    url: str | None = None

    @property
    def ok(self) -> bool:
        """True when events flowed to the loket and the views, and nothing leaked."""
        return (
            self.cases >= 3
            and sum(sum(c.values()) for c in self.views.values()) > 0
            and self.audit_records > 0
            and self.pii_findings == 0
            and self.repost is not None
            and self.repost.report is not None
            and not self.repost.report.accepted
        )


def _d(today: dt.date, days_ago: int) -> str:
    return (today - dt.timedelta(days=days_ago)).isoformat()


def _dutch(today: dt.date, days_ago: int) -> str:
    return (today - dt.timedelta(days=days_ago)).strftime("%d-%m-%Y")


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


def scenario(today: dt.date) -> list[Post]:
    """What the sample partners send, relative to `today`."""
    lessons = [3, 4, 5, 8, 9, 10]  # days ago, all school days of the last two weeks
    rows = [
        "BRIN;Vestiging;Leerlingnummer;BSN;Naam;Geboortedatum;Datum;Lesuren;Soort;Opmerking",
        *(
            f"12AB;00;4711;{KIND_A};Voorbeeld Leerling;03-05-2014;{_dutch(today, d)};3,5;"
            f"ongeoorloofd;{'moeder belde niet terug' if d == 3 else ''}"
            for d in lessons
        ),
        f"12AB;00;4712;{KIND_C};Tweede Leerling;11-09-2013;{_dutch(today, 2)};1;te laat;",
        f"12AB;00;4713;{ONGELDIG};Derde Leerling;01-01-2014;{_dutch(today, 2)};2;ongeoorloofd;",
        f"12AB;00;4714;{KIND_C};Tweede Leerling;11-09-2013;31-02-2026;2;ongeoorloofd;",
    ]
    csv = ("\r\n".join(rows) + "\r\n").encode("cp1252")
    ziek = [
        {"record_id": f"ziek-{n}", "bsn": KIND_C, "ziek_vanaf": _d(today, d), "brin": "12AB"}
        for n, d in enumerate((75, 50, 30, 8))
    ]
    return [
        Post("school", "verzuim", csv, "text/csv; charset=windows-1252"),
        Post("school", "ziekmelding", _jsonl(ziek), "application/x-ndjson"),
        Post(
            "school",
            "zorgsignaal",
            _jsonl(
                [
                    {
                        "record_id": "zs-1",
                        "bsn": KIND_A,
                        "datum": _d(today, 6),
                        "domein": "gedrag",
                        "urgentie": "normaal",
                        "toelichting": "Onrustig in de klas sinds de herfstvakantie.",
                    },
                    {
                        "record_id": "zs-2",
                        "bsn": KIND_A,
                        "datum": _d(today, 5),
                        "domein": "gezin",
                        "urgentie": "normaal",
                        "toelichting": "Moeder vraagt om hulp bij de ochtendroutine.",
                    },
                ]
            ),
            "application/x-ndjson",
        ),
        Post(
            "leerplicht",
            "betrokkenheid-gestart",
            _jsonl(
                [
                    {
                        "record_id": "lp-a",
                        "bsn": KIND_A,
                        "domein": "verzuim",
                        "contactrol": "leerplichtambtenaar",
                        "sinds": _d(today, 1),
                    },
                    {
                        "record_id": "lp-b",
                        "bsn": KIND_B,
                        "domein": "verzuim",
                        "contactrol": "leerplichtambtenaar",
                        "sinds": _d(today, 38),
                    },
                ]
            ),
            "application/x-ndjson",
        ),
        Post(
            "leerplicht",
            "thuiszitter",
            _jsonl(
                [
                    {
                        "record_id": "tz-b",
                        "bsn": KIND_B,
                        "soort": "absoluut_verzuim",
                        "sinds": _d(today, 40),
                    }
                ]
            ),
            "application/x-ndjson",
        ),
        Post(
            "jgz",
            "betrokkenheid-gestart",
            _jsonl(
                [
                    {
                        "record_id": "jgz-a",
                        "bsn": KIND_A,
                        "domein": "gezondheid",
                        "contactrol": "jeugdverpleegkundige",
                        "sinds": _d(today, 1),
                    }
                ]
            ),
            "application/x-ndjson",
        ),
        Post(
            "buurtteam",
            "betrokkenheid-gestart",
            _jsonl(
                [
                    {
                        "record_id": "bt-a",
                        "bsn": KIND_A,
                        "domein": "gezin",
                        "contactrol": "gezinscoach",
                        "sinds": _d(today, 0),
                    }
                ]
            ),
            "application/x-ndjson",
        ),
        Post(
            "swv",
            "betrokkenheid-gestart",
            _jsonl(
                [
                    {
                        "record_id": "swv-b",
                        "bsn": KIND_B,
                        "domein": "leren",
                        "contactrol": "consulent",
                        "sinds": _d(today, 20),
                    }
                ]
            ),
            "application/x-ndjson",
        ),
    ]


async def _post(http: httpx.AsyncClient, post: Post, token: str) -> Post:
    response = await http.post(
        f"/ingest/{post.partner}/{post.feed}",
        content=post.body,
        headers={"authorization": f"Bearer {token}", "content-type": post.content_type},
    )
    post.status = response.status_code
    if response.status_code in (202, 207, 422):
        post.report = IngestReport.model_validate(response.json())
    return post


async def _settle(counter: Callable[[], int], quiet: float = 1.5, limit: float = 60.0) -> None:
    """Wait until `counter` stops moving for `quiet` seconds (or `limit` passes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last, since = counter(), loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.2)
        now = counter()
        if now != last:
            last, since = now, loop.time()
        elif loop.time() - since >= quiet:
            return


async def _forget_earlier_runs(bootstrap: str, prefix: str) -> None:
    old = [t for t in await list_topics(bootstrap) if t.startswith(prefix + DEMO_PREFIX)]
    await client.delete_topics(bootstrap, old)


def ensure_dev_keys(settings: HubSettings, say: Callable[[str], None]) -> None:
    """A development key ring in the key directory, made once."""
    directory = settings.key_dir
    if directory.exists() and any(directory.iterdir()):
        added = complete_dev_keyring(directory)
        if added:
            say(f"[yellow]development key ring in {directory} completed: {', '.join(added)}[/]")
        return
    kids = init_keyring(directory)
    say(f"[yellow]development key ring created in {directory} ({len(kids)} keys)[/]")


async def run_demo(settings: HubSettings, console: Console, *, serve: bool = False) -> DemoResult:
    """Run the whole hub on the broker, let the sample partners post, show what came out."""
    say = console.print
    bootstrap = client.bootstrap_servers(settings)
    await client.ensure_reachable(bootstrap)
    await _forget_earlier_runs(bootstrap, settings.topic_prefix)
    ensure_dev_keys(settings, say)
    run_settings = settings.model_copy(
        update={"topic_prefix": f"{settings.topic_prefix}{DEMO_PREFIX}{secrets.token_hex(3)}."}
    )
    prefix = run_settings.topic_prefix
    tokens = PartnerTokens()
    issued = {p: tokens.issue(p) for p in ("school", "leerplicht", "jgz", "buurtteam", "swv")}
    result = DemoResult()
    options = HubOptions(tokens=tokens, port=0 if not serve else None, tick_interval=0)
    async with Hub(run_settings, options) as hub:
        assert hub.casus is not None
        assert hub.views is not None
        result.url = hub.url
        say(f"[bold]hub[/] running: ingest + casus + views, HTTP on {hub.url} (topics {prefix}*)")
        today = local_date(options.clock())
        async with httpx.AsyncClient(base_url=hub.url or "", timeout=30) as http:
            for post in scenario(today):
                await _post(http, post, issued[post.partner])
                result.posts.append(post)
                say(_describe(post))
            casus, views = hub.casus.processor.stats, hub.views.stats
            await _settle(lambda: casus.processed + views.processed)
            ticks = await hub.casus.tick_once()
            say(f"clock: {today}, {ticks} case(s) with a running clock checked")
            await _settle(lambda: casus.processed + views.processed)
            result.repost = await _post(
                http,
                Post("school", "verzuim", result.posts[0].body, result.posts[0].content_type),
                issued["school"],
            )
            say("school sends the same export again: " + _describe(result.repost, short=True))
        states = await load_states(bootstrap, hub.casus_topics.state)
        result.cases = len([s for s in states.values() if s.geopend])
        console.print(render_loket(states.values(), options.clock(), width=console.width))
        await _collect(bootstrap, prefix, result)
        console.print(_views_table(result))
        say(
            f"audit: {result.audit_records} disclosures recorded; dead letters: "
            + (", ".join(f"{n}× {r}" for r, n in result.dead_letters.items()) or "none")
        )
        report = await scan_topics(
            bootstrap, [t for t in await list_topics(bootstrap) if t.startswith(prefix)]
        )
        result.pii_findings = len(report.findings)
        colour = "green" if not report.findings else "red"
        say(
            f"[{colour}]pii scan: {report.records} records on the run's topics, "
            f"{len(report.findings)} findings[/]"
        )
        if serve:
            say(f"[bold]the loket:[/] {hub.url}/loket  (Ctrl-C stops the hub)")
            await asyncio.Event().wait()
    return result


def _describe(post: Post, *, short: bool = False) -> str:
    report = post.report
    if report is None:
        return f"{post.partner} → {post.feed}: HTTP {post.status}"
    rejected = ", ".join(f"row {r.record} {r.reason}" for r in report.rejected)
    text = (
        f"HTTP {post.status}: {len(report.accepted)} new, {len(report.duplicates)} duplicates"
        + (f", rejected: {rejected}" if rejected else "")
    )
    return text if short else f"{post.partner} → /ingest/{post.partner}/{post.feed}: {text}"


async def _collect(bootstrap: str, prefix: str, result: DemoResult) -> None:
    for audience in AUDIENCES:
        name = physical_name(view_topic(audience), prefix=prefix)
        kinds: Counter[str] = Counter()
        async for record in read_to_end(bootstrap, [name]):
            kind = dict(record.headers).get("ce_type", b"?").decode()
            kinds[kind.removeprefix("nl.onderwijsjeugd.").removesuffix(".v1")] += 1
        result.views[audience.value] = kinds
    async for _ in read_to_end(bootstrap, [physical_name(AUDIT, prefix=prefix)]):
        result.audit_records += 1
    async for record in read_to_end(bootstrap, [physical_name(DLQ, prefix=prefix)]):
        result.dead_letters[json.loads(record.value or b"{}").get("reason", "?")] += 1


def _views_table(result: DemoResult) -> Table:
    table = Table(title="views: what each audience received (policy-filtered, own pseudonyms)")
    table.add_column("audience")
    table.add_column("records")
    table.add_column("kinds of information")
    for audience, kinds in result.views.items():
        table.add_row(
            audience,
            str(sum(kinds.values())),
            ", ".join(f"{k} ×{n}" for k, n in sorted(kinds.items())) or "-",
        )
    return table
