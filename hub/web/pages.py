"""The signed-in loket: case list, search, case page, actions and the live stream (HTTP only)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sse_starlette.sse import EventSourceResponse

from hub.bus.records import Output
from hub.events.topics import AUDIT, contract_topic, physical_name
from hub.events.vocab import Domein, Partner
from hub.privacy.identifiers import InvalidIdentifier, parse_identifier
from hub.privacy.keyring import KeyRing
from hub.privacy.pseudonyms import audience_pseudonym_for, pseudonymise
from hub.views import raadpleging
from hub.views.inzage import datum_nl
from hub.views.raadpleging import Handeling, Raadpleging
from hub.web import actions
from hub.web.auth import NotConnected, NotSignedIn, OidcClient, Professional, current
from hub.web.loket_settings import LoketSettings
from hub.web.readmodel import Casus, Klok, Regie, Signaal
from hub.web.viewfeed import LoketFeed

log = structlog.get_logger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
SUBJECT = re.compile(r"^[0-9a-f]{64}$")
LIST_PAGE = 50
#: Small counts are not shown on the gemeente's page.
MIN_CELL = 5

Publish = Callable[[Sequence[Output]], Awaitable[Any]]

PARTNER_NAMEN = {
    "school": "Schoolbestuur",
    "leerplicht": "Leerplicht",
    "jgz": "Jeugdgezondheidszorg",
    "buurtteam": "Buurtteam",
    "swv": "Samenwerkingsverband",
    "gemeente": "Gemeente",
    "privacyloket": "Privacyloket",
    "hub": "Hub",
}

SOORT_LABELS = {
    "casus.match_gevonden": "Match: een andere partner is ook betrokken",
    "casus.partner_aangesloten": "Een partner sloot aan bij de casus",
    "casus.regie.voorgesteld": "Regie voorgesteld",
    "casus.regie.aanvaard": "Regie aanvaard",
    "casus.regie.overgedragen": "Regie overgedragen",
    "casus.regie.ontbreekt": "Nog niemand heeft de regie",
    "casus.thuiszitter_termijn.waarschuwing": "Thuiszitter: termijn van drie maanden bijna om",
    "casus.thuiszitter_termijn.verstreken": "Thuiszitter: termijn van drie maanden verstreken",
    "casus.verzuimdrempel.overschreden": "Meer dan 16 uur ongeoorloofd verzuim in 4 lesweken",
    "casus.zorgwekkend_ziekteverzuim.gesignaleerd": "Zorgwekkend ziekteverzuim (M@ZL)",
    "school.verzuimmelding.gedaan": "Verzuimmelding bij DUO",
    "school.verzuimmelding.status_gewijzigd": "Status van een verzuimmelding gewijzigd",
    "school.inschrijving.geregistreerd": "Inschrijving",
    "school.uitschrijving.geregistreerd": "Uitschrijving",
    "school.zorgsignaal.afgegeven": "Zorgsignaal van school",
    "school.ziekmelding.gedaan": "Ziekmelding",
    "school.herstelmelding.gedaan": "Betermelding",
    "leerplicht.thuiszitter.gemeld": "Thuiszitter gemeld",
    "leerplicht.onderwijsaanbod.gestart": "Onderwijsaanbod gestart",
    "swv.thuiszitter_overleg.gehouden": "Thuiszitteroverleg gehouden",
}

#: Fields never shown as such: they are folded into the blocks above the signals.
_HIDDEN = frozenset({"adressaten", "betrokkenen", "nieuw", "betrokkene"})


def naam(partner: str) -> str:
    """A partner's name in Dutch."""
    return PARTNER_NAMEN.get(partner, partner)


def kenmerk(subject: str) -> str:
    """A short reference of a case for people (the organisation's own pseudonym, abbreviated)."""
    return f"K-{subject[:4]}-{subject[4:8]}".upper()


def tijd(moment: dt.datetime | None) -> str:
    """A moment in Europe/Amsterdam, `17 november 2026 09:30`."""
    if moment is None:
        return "–"
    local = moment.astimezone(AMSTERDAM)
    return f"{datum_nl(local.date())} {local:%H:%M}"


def datum(day: dt.date | None) -> str:
    """A calendar day in words."""
    return datum_nl(day) if day is not None else "–"


def vandaag(now: dt.datetime) -> dt.date:
    """Today in Europe/Amsterdam."""
    return now.astimezone(AMSTERDAM).date()


def regie_tekst(regie: Regie | None) -> str:
    """Who has regie, in words."""
    if regie is None:
        return "Geen regie bekend"
    if regie.status == "aanvaard":
        return f"{naam(regie.partner)} (aanvaard op {datum(regie.sinds)})"
    return f"{naam(regie.partner)} (voorgesteld op {datum(regie.sinds)}, nog niet aanvaard)"


def _klok_tekst(klok: Klok | None, today: dt.date, lang: bool) -> str:
    if klok is None:
        return "–"
    left = klok.resterend(today)
    if left is None:
        return f"Thuiszitter sinds {datum(klok.sinds)}; deadline nog niet bekend"
    if left < 0 or klok.verstreken:
        core = f"Termijn verstreken: {abs(left)} dagen over de deadline van {datum(klok.deadline)}"
        return core + (" – geëscaleerd naar de gemeente" if lang else "")
    core = f"Nog {left} dagen tot de deadline van {datum(klok.deadline)}"
    return core + (f" (thuiszitter sinds {datum(klok.sinds)})" if lang else "")


def veld_waarde(value: Any) -> str:
    """A granted field's value for people; encrypted text is never opened here."""
    if isinstance(value, dict) and {"alg", "ct"} <= value.keys():
        return "versleuteld (alleen leesbaar voor wie de sleutel heeft)"
    if isinstance(value, list):
        return ", ".join(veld_waarde(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {veld_waarde(v)}" for k, v in value.items())
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datum(dt.date.fromisoformat(text))
    return naam(text) if text in PARTNER_NAMEN else text.replace("_", " ")


def velden(signaal: Signaal) -> list[tuple[str, str]]:
    """The granted fields of a signal, as (label, value)."""
    return [
        (k.replace("_", " "), veld_waarde(v)) for k, v in signaal.data.items() if k not in _HIDDEN
    ]


@dataclass
class Forms:
    """One-time tokens of rendered forms (double submission) and pending registrations."""

    used: OrderedDict[str, float] = field(default_factory=OrderedDict)
    pending: dict[str, tuple[str, str, str, float]] = field(default_factory=dict)
    keep: int = 100_000

    def use(self, nonce: str) -> bool:
        """True the first time a nonce is submitted, False after."""
        if not nonce or nonce in self.used:
            return False
        self.used[nonce] = time.time()
        while len(self.used) > self.keep:
            self.used.popitem(last=False)
        return True

    def park(self, audience: str, hub: str, subject: str, ttl: float = 900.0) -> str:
        """Keep a searched child's hub pseudonym server-side; the page gets only a token."""
        now = time.time()
        for token in [t for t, v in self.pending.items() if v[3] < now]:
            del self.pending[token]
        token = secrets.token_urlsafe(18)
        self.pending[token] = (audience, hub, subject, now + ttl)
        return token

    def claim(self, token: str, audience: str) -> tuple[str, str] | None:
        """(hub, subject) of a parked search of this audience, once."""
        found = self.pending.pop(token, None)
        if found is None or found[0] != audience or found[3] < time.time():
            return None
        return found[1], found[2]


@dataclass
class LoketServices:
    """What the loket pages need, injected (tests use a feed without a broker)."""

    settings: LoketSettings
    feed: LoketFeed
    ring: KeyRing | None = None
    key_audience: Callable[[str], str] = lambda audience: audience
    publish: Publish | None = None
    prefix: str = ""
    oidc: OidcClient | None = None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    forms: Forms = field(default_factory=Forms)
    stream_ping: float = 15.0


def _globals() -> None:
    env = TEMPLATES.env
    env.globals.update(
        naam=naam,
        kenmerk=kenmerk,
        tijd=tijd,
        datum=datum,
        regie_tekst=regie_tekst,
        velden=velden,
        soort=lambda t: (
            SOORT_LABELS.get(t.removeprefix("nl.onderwijsjeugd.").rsplit(".v", 1)[0]) or t
        ),
    )
    env.filters["naam"] = naam


_globals()


class Refused(Exception):
    """A request the loket answers with a Dutch error page and a status code."""

    def __init__(self, status: int, titel: str, bericht: str) -> None:
        super().__init__(bericht)
        self.status = status
        self.titel = titel
        self.bericht = bericht


def page(
    request: Request,
    template: str,
    pro: Professional | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a template (or only its content, for a live refresh with `?deel=1`)."""
    context.setdefault("deel", request.query_params.get("deel") == "1")
    return TEMPLATES.TemplateResponse(
        request, template, {"pro": pro, **context}, status_code=status
    )


def loket_router(services: LoketServices) -> APIRouter:
    """The loket's routes: sign-in, pages, actions and the stream."""
    router = APIRouter()
    settings = services.settings
    feed = services.feed

    def model_of(pro: Professional) -> Any:
        model = feed.models.get(pro.audience)
        if model is None:
            raise Refused(403, "Geen toegang", "Uw organisatie heeft geen casussen in dit loket.")
        return model

    def check_form(pro: Professional, form: Any, request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") != settings.base_url.rstrip("/"):
            raise Refused(403, "Formulier geweigerd", "Dit formulier kwam niet van het loket.")
        if not secrets.compare_digest(str(form.get("csrf", "")), pro.csrf):
            raise Refused(
                403,
                "Formulier geweigerd",
                "Dit formulier is verlopen of niet van het loket. Ga terug, laad de pagina "
                "opnieuw en probeer het nog eens.",
            )

    async def audit(
        pro: Professional,
        handeling: Handeling,
        subject: str,
        gevonden: bool,
        actie: str | None = None,
    ) -> None:
        record = Raadpleging(
            handeling=handeling,
            audience=pro.audience,
            organisation=pro.organisation,
            user=pro.user,
            subject=subject,
            gevonden=gevonden,
            actie=actie,
            at=services.clock(),
        )
        if services.publish is None:
            log.warning("loket.audit.unpublished", handeling=handeling.value)
            return
        key, value, headers = raadpleging.encode(record)
        await services.publish(
            [Output(physical_name(AUDIT, prefix=services.prefix), key, value, headers)]
        )

    async def publish_event(event: Any) -> None:
        if services.publish is None:
            raise Refused(503, "Niet beschikbaar", "Acties zijn op deze hub niet ingesteld.")
        from hub.adapters.ingest import event_output

        topic = physical_name(contract_topic(event.partner), prefix=services.prefix)
        await services.publish([event_output(event, topic)])

    @router.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/loket", status_code=303)

    @router.get("/auth/login")
    async def login(request: Request) -> Response:
        """Send the professional to the provider (authorization code + PKCE)."""
        if services.oidc is None:
            raise Refused(503, "Inloggen niet mogelijk", "Inloggen is op deze hub niet ingesteld.")
        response: Response = await services.oidc.redirect(request)
        return response

    @router.get("/auth/callback")
    async def callback(request: Request) -> Response:
        """Take the code back, check the ID token, start the session."""
        if services.oidc is None:
            raise Refused(503, "Inloggen niet mogelijk", "Inloggen is op deze hub niet ingesteld.")
        try:
            await services.oidc.finish(request)
        except NotConnected:
            raise Refused(
                403,
                "Organisatie niet aangesloten",
                "Uw organisatie is niet aangesloten op dit loket. Neem contact op met de "
                "beheerder van de samenwerking.",
            ) from None
        except NotSignedIn:
            raise Refused(
                401, "Inloggen mislukt", "Het inloggen is niet gelukt of verlopen. Probeer opnieuw."
            ) from None
        return RedirectResponse("/loket", status_code=303)

    @router.post("/auth/uitloggen")
    async def logout(request: Request) -> Response:
        """End the session."""
        request.session.clear()
        return page(
            request, "welkom.html", None, titel="U bent uitgelogd", melding="U bent uitgelogd."
        )

    @router.get("/loket")
    async def lijst(request: Request, pagina: int = 0) -> Response:
        """The organisation's cases, most recently changed first, with the search form."""
        pro = current(request)
        if pro.privacy_desk:
            return page(request, "privacy.html", pro, titel="Privacyloket")
        if pro.audience == Partner.GEMEENTE.value:
            return gemeente(request, pro)
        model = model_of(pro)
        cases = list(model.newest_first())
        pagina = max(0, pagina)
        shown = cases[pagina * LIST_PAGE : (pagina + 1) * LIST_PAGE]
        today = vandaag(services.clock())
        return page(
            request,
            "lijst.html",
            pro,
            titel="Casussen",
            casussen=shown,
            totaal=len(cases),
            pagina=pagina,
            meer=len(cases) > (pagina + 1) * LIST_PAGE,
            klok_kort=lambda k: _klok_tekst(k, today, False),
            melding=_melding(request),
            stroom="lijst",
        )

    def gemeente(request: Request, pro: Professional) -> Response:
        model = model_of(pro)
        count = sum(1 for c in model.cases.values() if c.klok is not None and c.klok.verstreken)
        text = str(count) if count >= MIN_CELL or count == 0 else f"minder dan {MIN_CELL}"
        return page(
            request,
            "gemeente.html",
            pro,
            titel="Cijfers voor de gemeente",
            escalaties_tekst=text,
            drempel=MIN_CELL,
        )

    @router.post("/loket/zoeken")
    async def zoeken(request: Request) -> Response:
        """Find a child by BSN or onderwijsnummer: the number stays in this request only."""
        pro = current(request)
        form = await request.form()
        check_form(pro, form, request)
        model = model_of(pro)
        soort = str(form.get("soort", "bsn"))
        try:
            identifier = parse_identifier(soort, str(form.get("nummer", "")))
        except InvalidIdentifier:
            what = "BSN" if soort == "bsn" else "onderwijsnummer"
            raise Refused(
                400,
                "Ongeldig nummer",
                f"Dit is geen geldig {what}: het moet uit 9 cijfers bestaan en de "
                f"{'11-proef' if soort == 'bsn' else 'controle op het onderwijsnummer'} "
                "doorstaan. Controleer het nummer.",
            ) from None
        if services.ring is None:
            raise Refused(503, "Zoeken niet mogelijk", "Zoeken is op deze hub niet ingesteld.")
        hub = pseudonymise(identifier, services.ring).value
        subject = audience_pseudonym_for(services.key_audience(pro.audience), hub, services.ring)
        del identifier, form
        found = model.get(subject) is not None
        await audit(pro, Handeling.ZOEKEN, subject, found)
        if found:
            return RedirectResponse(f"/loket/casus/{subject}", status_code=303)
        token = None
        if pro.audience in {p.value for p in actions.STANDAARD_DOMEIN}:
            token = services.forms.park(pro.audience, hub, subject)
        partner = Partner(pro.audience) if pro.audience in Partner.__members__.values() else None
        return page(
            request,
            "niet_gevonden.html",
            pro,
            status=404,
            titel="Niet gevonden",
            token=token,
            domeinen=list(Domein),
            standaard=actions.STANDAARD_DOMEIN.get(partner) if partner else None,
        )

    @router.post("/loket/betrokkenheid")
    async def betrokkenheid(request: Request) -> Response:
        """Register involvement with a child found nowhere in this organisation's view."""
        pro = current(request)
        form = await request.form()
        check_form(pro, form, request)
        claimed = services.forms.claim(str(form.get("token", "")), pro.audience)
        if claimed is None:
            raise Refused(
                409,
                "Al verwerkt of verlopen",
                "Deze registratie is al verwerkt of verlopen. Zoek het kind opnieuw op.",
            )
        hub, subject = claimed
        try:
            domein = Domein(str(form.get("domein", "")))
        except ValueError:
            raise Refused(400, "Ongeldig onderwerp", "Kies een onderwerp uit de lijst.") from None
        await _act(pro, actions.Actie.BETROKKENHEID_REGISTREREN, hub, subject, domein)
        return RedirectResponse("/loket?gedaan=betrokkenheid", status_code=303)

    async def _act(
        pro: Professional,
        actie: actions.Actie,
        hub: str,
        subject: str,
        domein: Domein | None = None,
    ) -> None:
        assert services.ring is not None
        try:
            event = actions.actie_event(
                actie,
                audience=pro.audience,
                organisation=pro.organisation,
                user=pro.user,
                hub=hub,
                pseudonymkid=services.ring.pseudonym_key().kid,
                nonce=secrets.token_hex(16),
                now=services.clock(),
                domein=domein,
            )
        except actions.ActieNietToegestaan:
            raise Refused(
                403, "Niet toegestaan", "Uw organisatie kan deze actie niet uitvoeren."
            ) from None
        await publish_event(event)
        await audit(pro, Handeling.ACTIE, subject, True, actie=event.type)
        log.info("loket.actie", actie=actie.value, audience=pro.audience, user=pro.user)

    @router.get("/loket/casus/{subject}")
    async def casus(request: Request, subject: str, pagina: int = 0) -> Response:
        """One case as this organisation may see it."""
        pro = current(request)
        model = model_of(pro)
        c: Casus | None = model.get(subject) if SUBJECT.match(subject) else None
        if c is None:
            if SUBJECT.match(subject):
                await audit(pro, Handeling.INZIEN, subject, False)
            raise Refused(
                404,
                "Casus niet gevonden",
                "Deze casus bestaat niet of hoort niet bij uw organisatie.",
            )
        deel = request.query_params.get("deel") == "1"
        if not deel:
            await audit(pro, Handeling.INZIEN, subject, True)
        today = vandaag(services.clock())
        pagina = max(0, pagina)
        size = settings.page_size
        return page(
            request,
            "casus.html",
            pro,
            titel=f"Casus {kenmerk(subject)}",
            c=c,
            signalen=c.pagina(pagina, size),
            pagina=pagina,
            meer=len(c.signalen) > (pagina + 1) * size,
            contact=lambda p: settings.contacts.get(p, "contactpunt niet ingesteld"),
            klok_lang=lambda k: _klok_tekst(k, today, True),
            resterend=c.klok.resterend(today) if c.klok else None,
            acties=_acties(pro, c, subject),
            melding=_melding(request),
            stroom=subject,
        )

    def _acties(pro: Professional, c: Casus, subject: str) -> list[dict[str, Any]]:
        handles = feed.handles
        if handles is None or handles.hub_of(pro.audience, subject) is None:
            return []
        if pro.audience not in {p.value for p in actions.STANDAARD_DOMEIN}:
            return []
        regie = c.regie
        mine = regie is not None and regie.partner == pro.audience and regie.status == "aanvaard"
        out = []
        if mine:
            out.append(("regie_teruggeven", "Regie teruggeven", True))
        elif regie is not None and regie.status == "aanvaard":
            out.append(("regie_aanvaarden", "Regie overnemen", False))
        else:
            out.append(("regie_aanvaarden", "Regie aanvaarden", False))
        out.append(("betrokkenheid_beeindigen", "Betrokkenheid beëindigen", True))
        return [
            {"actie": a, "label": label, "secundair": sec, "nonce": secrets.token_urlsafe(18)}
            for a, label, sec in out
        ]

    @router.post("/loket/casus/{subject}/actie")
    async def actie(request: Request, subject: str) -> Response:
        """Take an action on a case: a contract event under this organisation."""
        pro = current(request)
        form = await request.form()
        check_form(pro, form, request)
        model = model_of(pro)
        if not SUBJECT.match(subject) or model.get(subject) is None:
            raise Refused(
                404,
                "Casus niet gevonden",
                "Deze casus bestaat niet of hoort niet bij uw organisatie.",
            )
        if not services.forms.use(str(form.get("nonce", ""))):
            raise Refused(
                409,
                "Al verwerkt",
                "Deze actie is al verwerkt (het formulier werd twee keer verstuurd).",
            )
        try:
            chosen = actions.Actie(str(form.get("actie", "")))
        except ValueError:
            raise Refused(400, "Onbekende actie", "Deze actie bestaat niet.") from None
        handles = feed.handles
        hub = handles.hub_of(pro.audience, subject) if handles is not None else None
        if hub is None:
            raise Refused(
                409,
                "Actie nu niet mogelijk",
                "Deze casus is nog niet volledig geladen; probeer het zo opnieuw.",
            )
        await _act(pro, chosen, hub, subject)
        return RedirectResponse(f"/loket/casus/{subject}?gedaan={chosen.value}", status_code=303)

    @router.get("/loket/stroom")
    async def stroom(request: Request, casus: str | None = None) -> Response:
        """Server-sent events: a notice per change of this organisation's cases (resumable)."""
        try:
            pro = current(request)
        except NotSignedIn:
            return Response("Niet ingelogd.", status_code=401, media_type="text/plain")
        changes = feed.changes.get(pro.audience)
        if changes is None:
            return Response("Geen toegang.", status_code=403, media_type="text/plain")
        start = changes.resume_from(request.headers.get("last-event-id"))

        async def events() -> AsyncIterator[dict[str, str]]:
            seq = start
            if seq is None:
                seq = changes.seq
                yield {"event": "herladen", "id": f"{changes.epoch}-{seq}", "data": "{}"}
            while True:
                for change in await changes.wait(seq, timeout=5.0):
                    seq = change.seq
                    if casus is not None and change.subject != casus:
                        continue
                    yield {
                        "event": "wijziging",
                        "id": changes.event_id(change),
                        "data": json.dumps({"casus": change.subject, "soort": change.soort}),
                    }
                if await request.is_disconnected():
                    return
                if time.time() > pro.expires:
                    return

        return EventSourceResponse(events(), ping=int(services.stream_ping))

    return router


def _melding(request: Request) -> str | None:
    gedaan = request.query_params.get("gedaan")
    return {
        "betrokkenheid": "Uw betrokkenheid is geregistreerd.",
        "regie_aanvaarden": "U heeft de regie aanvaard. Het kan een moment duren voor dit "
        "overal zichtbaar is.",
        "regie_teruggeven": "U heeft de regie teruggegeven.",
        "betrokkenheid_beeindigen": "Uw betrokkenheid is beëindigd.",
    }.get(gedaan or "")
