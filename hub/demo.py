"""The main job: a local broker, sample partners publishing, and a consumer showing what arrived."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable

from hub.bus import client
from hub.settings import HubSettings

DEMO_TOPIC = "demo.verzuim.v0"

# Made-up BSNs that pass the 11-proef: if one ever shows on the bus, the leak scanner will see it.
SAMPLE_SCHOOL_EXPORT = [
    {"bsn": "111222333", "datum": "2026-11-16", "lesuren": 3.0, "soort": "ongeoorloofd"},
    {"bsn": "123456782", "datum": "2026-11-16", "lesuren": 2.0, "soort": "ziek"},
    {"bsn": "111222333", "datum": "2026-11-17", "lesuren": 5.0, "soort": "ongeoorloofd"},
    {"bsn": "232262536", "datum": "2026-11-18", "lesuren": 1.0, "soort": "te laat"},
    {"bsn": "111222333", "datum": "2026-11-19", "lesuren": 6.0, "soort": "ongeoorloofd"},
]


async def run_demo(settings: HubSettings, say: Callable[[str], None]) -> int:
    """Send the sample school export through the bus and print what a consumer reads back."""
    bootstrap = client.bootstrap_servers(settings)
    await client.ensure_reachable(bootstrap)
    topic = settings.topic_prefix + DEMO_TOPIC
    await client.create_topics(bootstrap, [(topic, 3, {})])
    run_key = secrets.token_bytes(32)  # a throw-away key: this run's pseudonyms join nothing
    run = uuid.uuid4().hex[:8]
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        for row in SAMPLE_SCHOOL_EXPORT:
            pseudonym = hmac.new(run_key, f"bsn:{row['bsn']}".encode(), hashlib.sha256).hexdigest()
            event = {k: v for k, v in row.items() if k != "bsn"} | {"run": run}
            await producer.send_and_wait(
                topic, json.dumps(event).encode(), key=pseudonym[:16].encode()
            )
            say(f"school → {topic}: {pseudonym[:16]} {row['datum']} {row['soort']}")
    finally:
        await producer.stop()
    consumer = client.consumer(bootstrap, topic, group_id=f"demo-{run}")
    await consumer.start()
    seen = 0
    try:
        while seen < len(SAMPLE_SCHOOL_EXPORT):
            batches = await consumer.getmany(timeout_ms=5000)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    event = json.loads(record.value)
                    if event.get("run") != run:
                        continue
                    seen += 1
                    where = f"p{record.partition}@{record.offset}"
                    say(f"consumer ← {where}: {record.key.decode()} {event}")
    finally:
        await consumer.stop()
    return seen
