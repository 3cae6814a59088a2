"""A loket without a broker: read models fed from projected views of a rich test stream."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import itsdangerous
from fastapi.testclient import TestClient

from hub.bus.records import Output
from hub.views.policy import load_policy
from hub.views.project import project
from hub.web.app import WebConfig, create_app
from hub.web.auth import SESSION_KEY, Professional
from hub.web.loket_security import SESSION_COOKIE
from hub.web.loket_settings import LoketSettings
from hub.web.pages import LoketServices
from hub.web.tokens import PartnerTokens
from hub.web.viewfeed import Handles, LoketFeed
from tests.unit.views.stream import BSNS, hub_pseudonym, keyring_for_tests, make_event

RING = keyring_for_tests()
POLICY = load_policy()
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
BASE = "https://loket.example"


@dataclass
class Published:
    """Collects what the loket published (events and lookups) instead of a broker."""

    outputs: list[Output] = field(default_factory=list)

    async def __call__(self, outputs: Sequence[Output]) -> None:
        self.outputs.extend(outputs)


def rekey(audience: str, hub: str) -> str:
    from hub.privacy.pseudonyms import audience_pseudonym_for

    return audience_pseudonym_for(POLICY.key_audience(audience), hub, RING)


T = "nl.onderwijsjeugd."


def _pair(a: str, b: str) -> list[dict[str, str]]:
    roles = {"leerplicht": "leerplichtambtenaar", "jgz": "jeugdarts", "buurtteam": "gezinscoach"}
    return [{"partner": p, "contactrol": roles[p]} for p in (a, b)]


def loket_stream() -> list[Any]:
    """Child 0: leerplicht and JGZ matched, regie proposed to leerplicht, a thuiszitter clock.
    Child 1: JGZ and the buurtteam only (leerplicht must never see it)."""
    c0, c1 = hub_pseudonym(BSNS[0], RING), hub_pseudonym(BSNS[1], RING)
    lj, jb = ["leerplicht", "jgz"], ["jgz", "buurtteam"]
    return [
        make_event(
            T + "casus.match_gevonden.v1",
            c0,
            RING,
            record="m0",
            data={
                "nieuw": _pair("jgz", "leerplicht")[0],
                "betrokkenen": _pair("leerplicht", "jgz"),
                "adressaten": lj,
            },
        ),
        make_event(
            T + "casus.regie.voorgesteld.v1",
            c0,
            RING,
            record="r0",
            minutes=1,
            data={"partner": "leerplicht", "adressaten": lj},
        ),
        make_event(
            T + "casus.thuiszitter_termijn.waarschuwing.v1",
            c0,
            RING,
            record="t0",
            minutes=2,
            data={"adressaten": ["leerplicht", "swv"]},
        ),
        make_event(
            T + "school.zorgsignaal.afgegeven.v1",
            c0,
            RING,
            record="z0",
            minutes=3,
            data={"domein": "gezondheid"},
        ),
        make_event(
            T + "casus.match_gevonden.v1",
            c1,
            RING,
            record="m1",
            minutes=4,
            data={
                "nieuw": _pair("buurtteam", "jgz")[0],
                "betrokkenen": _pair("jgz", "buurtteam"),
                "adressaten": jb,
            },
        ),
        make_event(
            T + "school.zorgsignaal.afgegeven.v1",
            c1,
            RING,
            record="z1",
            minutes=5,
            data={"domein": "gezondheid"},
        ),
    ]


def fed(audiences: tuple[str, ...] = ("leerplicht", "jgz", "gemeente")) -> LoketFeed:
    """A feed whose read models hold the projected views of the loket stream."""
    feed = LoketFeed("unused:9092", audiences)
    feed.handles = Handles(rekey)
    for event in loket_stream():
        for audience in audiences:
            view = project(POLICY, audience, event, RING)
            if view is not None and feed.models[audience].apply(view):
                feed.changes[audience].add(view.subject, view.type)
                feed.handles.update(event.subject, [audience], audiences)
    return feed


def services(feed: LoketFeed, published: Published) -> LoketServices:
    settings = LoketSettings(base_url=BASE, session_secret="s" * 40)  # type: ignore[arg-type]
    return LoketServices(
        settings=settings,
        feed=feed,
        ring=RING,
        key_audience=POLICY.key_audience,
        publish=published,
        clock=lambda: NOW,
    )


def client(svc: LoketServices) -> TestClient:
    return TestClient(create_app(WebConfig(tokens=PartnerTokens(), loket=svc)), base_url=BASE)


def sign_in(
    http: TestClient, svc: LoketServices, audience: str, *, expires: float | None = None
) -> Professional:
    """Put a signed session cookie in the client, as the sign-in callback would."""
    pro = Professional(
        user=f"u-test-{audience}",
        organisation=f"org-{audience}",
        audience=audience,
        role="medewerker",
        csrf=f"csrf-{audience}",
        expires=time.time() + 3600 if expires is None else expires,
    )
    data = base64.b64encode(json.dumps({SESSION_KEY: pro.__dict__}).encode())
    signer = itsdangerous.TimestampSigner(svc.settings.session_secret.get_secret_value())
    http.cookies.set(SESSION_COOKIE, signer.sign(data).decode(), domain="loket.example")
    return pro


def subject_of(audience: str, bsn: str = BSNS[0]) -> str:
    return rekey(audience, hub_pseudonym(bsn, RING))


def decoded(outputs: list[Output]) -> list[dict[str, Any]]:
    return [json.loads(o.value) for o in outputs if o.value is not None]
