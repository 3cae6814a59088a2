"""The loket in a real browser: Debian's chromium driven by Playwright, signing in through the
real local OIDC provider, on the real broker. Screenshots and axe-core results go to
build/screenshots/."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hub.adapters.ingest import event_output
from hub.events.betrokkenheid import BetrokkenheidGestart
from hub.events.envelope import new_event
from hub.events.topics import contract_topic, physical_name
from hub.events.vocab import ContactRol, Domein, Partner
from hub.ops.launcher import free_port
from hub.ops.oidc import DEMO_USERS, LocalOidc
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import init_keyring
from hub.privacy.pseudonyms import pseudonymise
from hub.runtime import Hub, HubOptions
from hub.settings import PROJECT_ROOT, HubSettings
from hub.views.policy import key_audiences, load_policy
from hub.web.loket_settings import LoketSettings

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "build" / "screenshots"
AXE = PROJECT_ROOT / "tests" / "browser_assets" / "axe.min.js"
USERS = json.loads(DEMO_USERS.read_text())

#: Made-up BSNs that pass the 11-proef.
SHARED = "111222333"  # leerplicht and JGZ are involved
OTHERS = "123456782"  # JGZ and the buurtteam only: leerplicht must never see it
NEW = "232262536"  # nobody yet: leerplicht registers involvement

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is missing: `make browser` installs it"
)


@dataclass
class Loket:
    """A running hub with its loket, and the provider it signs in with."""

    hub: Hub
    base: str
    settings: HubSettings


def involvement(hub: Hub, bsn: str, partner: Partner, domein: Domein, rol: ContactRol) -> Any:
    assert hub.ring is not None
    child = pseudonymise(parse_identifier("bsn", bsn), hub.ring).value
    event = new_event(
        BetrokkenheidGestart(domein=domein, contactrol=rol, sinds=dt.date(2026, 11, 2)),
        partner=partner,
        organisation="seed",
        system="test",
        source_record_id=f"seed-{bsn[-3:]}-{partner.value}",
        subject=child,
        pseudonymkid=hub.ring.pseudonym_key().kid,
        time=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )
    topic = physical_name(contract_topic(partner), hub.settings)
    return event_output(event, topic)


@pytest.fixture
async def loket(bootstrap: str, unique: str, tmp_path: Path) -> AsyncIterator[Loket]:
    port = free_port()
    base = f"http://localhost:{port}"
    oidc = LocalOidc(
        tmp_path / "oidc", port=0, redirect_uris=[f"{base}/auth/callback"], client_id="hub-loket"
    )
    status = await asyncio.to_thread(oidc.up)
    assert status.answering, status.detail
    init_keyring(tmp_path / "keys", key_audiences(load_policy()))
    settings = HubSettings(
        kafka_bootstrap_servers=bootstrap,
        key_dir=tmp_path / "keys",
        state_dir=tmp_path / "state",
        topic_prefix=f"l{unique}.",
    )
    loket_settings = LoketSettings(
        oidc_issuer=str(status.issuer),
        oidc_client_secret=oidc.secret_file.read_text().strip(),  # type: ignore[arg-type]
        base_url=base,
    )
    options = HubOptions(port=port, tick_interval=0, loket=loket_settings)
    try:
        async with Hub(settings, options) as hub:
            assert hub.ingest is not None
            await hub.ingest.publisher.publish(
                [
                    involvement(
                        hub,
                        SHARED,
                        Partner.LEERPLICHT,
                        Domein.VERZUIM,
                        ContactRol.LEERPLICHTAMBTENAAR,
                    ),
                    involvement(hub, SHARED, Partner.JGZ, Domein.GEZONDHEID, ContactRol.JEUGDARTS),
                    involvement(hub, OTHERS, Partner.JGZ, Domein.GEZONDHEID, ContactRol.JEUGDARTS),
                    involvement(
                        hub, OTHERS, Partner.BUURTTEAM, Domein.GEZIN, ContactRol.GEZINSCOACH
                    ),
                ]
            )
            assert hub.loket is not None
            models = hub.loket.feed.models
            async with asyncio.timeout(60):
                while len(models["leerplicht"].cases) < 1 or len(models["jgz"].cases) < 2:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            yield Loket(hub, base, settings)
    finally:
        await asyncio.to_thread(oidc.down)


async def axe_check(page: Any, name: str, results: dict[str, Any]) -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; no serious or critical violation."""
    await page.evaluate(AXE.read_text())
    violations = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
        }"""
    )
    results[name] = violations
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


async def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def sign_in(browser: Any, base: str, login: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = await context.new_page()
    await page.goto(f"{base}/loket")
    await page.get_by_role("link", name="Inloggen").click()
    await page.get_by_label("Gebruikersnaam").fill(login)
    await page.get_by_label("Wachtwoord").fill(USERS[login]["password"])
    await page.get_by_role("button", name="Inloggen").click()
    try:
        await page.wait_for_url(f"{base}/loket", timeout=10_000)
    except Exception:
        await shot(page, f"fout-inloggen-{login}")
        raise AssertionError(f"sign-in of {login} ended at {page.url}") from None
    return page


async def search(page: Any, bsn: str) -> str:
    """Search a child; the heading of the page it leads to."""
    await page.get_by_label("Nummer (9 cijfers)").fill(bsn)
    await page.get_by_role("button", name="Zoeken").click()
    await page.wait_for_load_state()
    return str(await page.locator("h1").inner_text())


class TestLoketInTheBrowser:
    async def test_two_organisations_search_accept_regie_and_see_it_live(
        self, loket: Loket
    ) -> None:
        from playwright.async_api import async_playwright

        base = loket.base
        axe: dict[str, Any] = {}
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
            )
            try:
                # Before sign-in: the welcome page only, and the provider's sign-in page.
                anon = await (await browser.new_context()).new_page()
                answer = await anon.goto(f"{base}/loket")
                assert answer is not None
                assert answer.status == 401
                await shot(anon, "01-welkom")
                await axe_check(anon, "welkom", axe)
                await anon.get_by_role("link", name="Inloggen").click()
                await anon.get_by_label("Gebruikersnaam").wait_for()
                await shot(anon, "02-provider-inloggen")

                a = await sign_in(browser, base, "leerplicht")
                b = await sign_in(browser, base, "jgz")
                await shot(a, "03-lijst-leerplicht")
                await axe_check(a, "lijst", axe)

                # A finds the shared child; B has it too, under its own pseudonym.
                heading = await search(a, SHARED)
                assert "/loket/casus/" in a.url, (heading, await a.content())
                await a.get_by_text("Jeugdgezondheidszorg").first.wait_for()
                assert "jgz@ggd.example" in await a.content()
                await shot(a, "04-casus-leerplicht")
                await axe_check(a, "casus", axe)
                await search(b, SHARED)
                assert "/loket/casus/" in b.url
                assert a.url.rsplit("/", 1)[1] != b.url.rsplit("/", 1)[1]
                await b.evaluate("window.__nietHerladen = true")
                await b.wait_for_function(
                    "() => document.getElementById('inhoud').dataset.stroomOpen"
                )

                # A accepts regie; B's page changes without a reload.
                await a.get_by_role("button", name="Regie aanvaarden").click()
                await a.wait_for_url("**gedaan=regie_aanvaarden")
                started = time.perf_counter()
                await b.wait_for_function(
                    "() => document.getElementById('regie').textContent"
                    ".includes('Leerplicht (aanvaard')",
                    timeout=15_000,
                )
                live_s = time.perf_counter() - started
                assert await b.evaluate("window.__nietHerladen === true")
                await shot(b, "05-casus-jgz-live-bijgewerkt")
                await axe_check(b, "casus-na-update", axe)

                # A never sees B's other child: not in the list, not by search, not by URL.
                await a.goto(f"{base}/loket")
                others = [
                    c
                    for c in loket.hub.loket.feed.models["jgz"].cases  # type: ignore[union-attr]
                    if c not in b.url
                ]
                assert len(await a.locator("tbody tr").all()) == 1
                await search(a, OTHERS)
                content = await a.content()
                assert "Buurtteam" not in content
                assert "Betrokkenheid registreren" in content
                await shot(a, "06-niet-gevonden")
                await axe_check(a, "niet-gevonden", axe)
                for subject in others:
                    answer = await a.goto(f"{base}/loket/casus/{subject}")
                    assert answer is not None
                    assert answer.status == 404
                await shot(a, "07-casus-van-ander-404")
                await axe_check(a, "fout", axe)

                # Registering involvement for a new child, from the not-found page.
                await a.goto(f"{base}/loket")
                await search(a, NEW)
                await a.get_by_role("button", name="Betrokkenheid registreren").click()
                await a.wait_for_url("**gedaan=betrokkenheid")

                # A bad number gets a Dutch message, never the number back.
                await a.goto(f"{base}/loket")
                await search(a, "123456789")
                assert "11-proef" in await a.content()
                assert "123456789" not in await a.content()

                # 400 px wide: no horizontal scrolling.
                await a.set_viewport_size({"width": 400, "height": 800})
                await a.goto(
                    b.url.replace(b.url.rsplit("/", 1)[1], a.url.rsplit("/", 1)[1])
                    if False
                    else f"{base}/loket"
                )
                assert await a.evaluate("document.documentElement.scrollWidth") <= 400
                await shot(a, "08-lijst-400px")
                await b.set_viewport_size({"width": 400, "height": 800})
                await b.reload()
                assert await b.evaluate("document.documentElement.scrollWidth") <= 400
                await shot(b, "09-casus-400px")

                g = await sign_in(browser, base, "gemeente")
                assert "cijfers, geen kinderen" in await g.content()
                await shot(g, "10-gemeente")
                await axe_check(g, "gemeente", axe)
            finally:
                await browser.close()
        (SHOTS / "axe.json").write_text(json.dumps(axe, indent=2))
        (SHOTS / "live.json").write_text(json.dumps({"regie_live_s": round(live_s, 3)}))

        # Every search and case view is an audit record that `hub inzage` reports.
        env = os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": loket.settings.kafka_bootstrap_servers or "",
            "HUB_KEY_DIR": str(loket.settings.key_dir),
            "HUB_TOPIC_PREFIX": loket.settings.topic_prefix,
        }
        report = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "hub", "inzage", "--stdin"],
            input=SHARED + "\n",
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert report.returncode == 0, report.stderr
        assert "De leerplichtambtenaar van de gemeente zocht uw kind op." in report.stdout
        assert "bekeek het dossier" in report.stdout
        assert SHARED not in report.stdout
