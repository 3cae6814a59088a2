"""Inzage for parents (AVG art. 15): from the audit trail, who received what about their child.

Everything here runs where the parent's request is handled: the identifier is turned into the
child's audience pseudonyms locally, with the key ring, and only those pseudonyms are compared
with the keys of the audit records. The identifier itself is never sent anywhere. Whether an
objection (bezwaar) is active comes from the projector's state, keyed by the hub pseudonyms.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from hub.events.days import local_date
from hub.privacy.identifiers import Identifier
from hub.privacy.keyring import AUDIENCE_PREFIX, PSEUDONYM, KeyRing
from hub.privacy.pseudonyms import audience_pseudonym, hub_pseudonym
from hub.views.audit import AuditKind, AuditRecord
from hub.views.policy import TYPE_PREFIX, Policy
from hub.views.raadpleging import Handeling, Raadpleging
from hub.views.state import ChildViews

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

#: Who the audiences are, in words a parent knows.
ONTVANGERS = {
    "school": "Het schoolbestuur (intern begeleider of zorgcoördinator)",
    "leerplicht": "De leerplichtambtenaar van de gemeente",
    "jgz": "De jeugdgezondheidszorg (jeugdarts of jeugdverpleegkundige)",
    "buurtteam": "Het buurtteam",
    "swv": "Het samenwerkingsverband passend onderwijs",
    "gemeente": "De gemeente",
}

#: What kind of information an event type is, in plain Dutch (without the common prefix).
SOORTEN = {
    "betrokkenheid.gestart.v1": "dat een hulpverlener bij uw kind betrokken is geraakt",
    "betrokkenheid.beeindigd.v1": "dat een hulpverlener niet meer betrokken is",
    "buurtteam.hulptraject.gestart.v1": "dat het buurtteam uw gezin is gaan ondersteunen",
    "buurtteam.hulptraject.beeindigd.v1": "dat de ondersteuning door het buurtteam is gestopt",
    "casus.geopend.v1": "dat er een dossier voor uw kind is geopend",
    "casus.gesloten.v1": "dat het dossier van uw kind is gesloten",
    "casus.gearchiveerd.v1": "dat het dossier van uw kind is gearchiveerd",
    "casus.gewist.v1": "dat de gegevens van uw kind zijn gewist",
    "casus.match_gevonden.v1": "welke andere partners ook betrokken zijn, niet waarom",
    "casus.partner_aangesloten.v1": "dat een partner bij het dossier is aangesloten",
    "casus.regie.voorgesteld.v1": "een voorstel wie de hulp coördineert",
    "casus.regie.aanvaard.v1": "wie de hulp coördineert",
    "casus.regie.overgedragen.v1": "dat de coördinatie naar een andere partner ging",
    "casus.regie.ontbreekt.v1": "dat nog niemand de coördinatie op zich nam",
    "casus.thuiszitter_termijn.waarschuwing.v1": (
        "een waarschuwing dat de termijn van drie maanden voor een onderwijsplek loopt"
    ),
    "casus.thuiszitter_termijn.verstreken.v1": (
        "dat uw kind langer dan drie maanden zonder onderwijsplek thuis zit"
    ),
    "casus.verzuimdrempel.overschreden.v1": (
        "dat uw kind meer dan 16 uur in 4 lesweken ongeoorloofd afwezig was"
    ),
    "casus.zorgwekkend_ziekteverzuim.gesignaleerd.v1": (
        "dat uw kind vaak of lang ziek gemeld was: zorgwekkend ziekteverzuim"
    ),
    "jgz.mazl_consult.aangevraagd.v1": "dat een gesprek met de jeugdarts is aangevraagd",
    "jgz.mazl_consult.gehouden.v1": "dat het gesprek met de jeugdarts heeft plaatsgevonden",
    "leerplicht.thuiszitter.gemeld.v1": "dat uw kind zonder onderwijsplek thuis zit",
    "leerplicht.onderwijsaanbod.gestart.v1": "dat uw kind weer onderwijs krijgt",
    "leerplicht.leerplichtzaak.geopend.v1": "dat de leerplichtambtenaar een zaak opende",
    "leerplicht.leerplichtzaak.gesloten.v1": "dat de leerplichtambtenaar de zaak sloot",
    "school.verzuim.geregistreerd.v1": "een afwezigheid van uw kind op school",
    "school.verzuimmelding.gedaan.v1": "een melding van ongeoorloofd verzuim bij DUO",
    "school.verzuimmelding.status_gewijzigd.v1": "de stand van zaken van een verzuimmelding",
    "school.ziekmelding.gedaan.v1": "een ziekmelding",
    "school.herstelmelding.gedaan.v1": "een betermelding",
    "school.inschrijving.geregistreerd.v1": "de inschrijving van uw kind op een school",
    "school.uitschrijving.geregistreerd.v1": "de uitschrijving van uw kind van een school",
    "school.zorgsignaal.afgegeven.v1": "een zorgsignaal van school",
    "swv.arrangement.toegekend.v1": "dat uw kind extra ondersteuning krijgt: een arrangement",
    "swv.arrangement.beeindigd.v1": "dat de extra ondersteuning is gestopt",
    "swv.toelaatbaarheidsverklaring.afgegeven.v1": (
        "een toelaatbaarheidsverklaring voor speciaal onderwijs"
    ),
    "swv.thuiszitter_overleg.gehouden.v1": "dat er overleg was over een onderwijsplek",
}

#: Field names in words; others are shown with spaces for underscores.
GEGEVENS = {
    "brin": "school",
    "vestiging": "schoolvestiging",
    "datum": "datum",
    "domein": "onderwerp",
    "domeinen": "onderwerpen",
    "urgentie": "urgentie",
    "toelichting": "toelichting (versleuteld)",
    "opmerking": "opmerking (versleuteld)",
    "adressaten": "wie het bericht kregen",
    "betrokkenen": "betrokken partners",
    "nieuw": "nieuwe partner",
    "betrokkene": "partner",
    "geboortejaar": "geboortejaar",
    "melding_id": "kenmerk van de melding",
    "lesuren_ongeoorloofd": "aantal uren ongeoorloofd afwezig",
}


def datum_nl(day: dt.date) -> str:
    """`17 november 2026`."""
    return f"{day.day} {MAANDEN[day.month - 1]} {day.year}"


def child_subjects(identifier: Identifier, ring: KeyRing) -> set[str]:
    """Every audience pseudonym the child may have: each regional and audience key version."""
    audience_names = [n for n in ring.names() if n.startswith(AUDIENCE_PREFIX)]
    subjects: set[str] = set()
    for regional in ring.versions(PSEUDONYM):
        hub = hub_pseudonym(identifier, regional).value
        for name in audience_names:
            subjects |= {audience_pseudonym(hub, key) for key in ring.versions(name)}
    return subjects


def child_hub_pseudonyms(identifier: Identifier, ring: KeyRing) -> set[str]:
    """Every hub pseudonym the child may have: one per regional key version (the state keys)."""
    return {hub_pseudonym(identifier, regional).value for regional in ring.versions(PSEUDONYM)}


def bezwaar_of(states: Iterable[ChildViews]) -> ChildViews:
    """The objections of the child over all its hub pseudonyms (none: an empty state)."""
    found = list(states)
    return ChildViews(
        bezwaar=tuple(sorted({a for s in found for a in s.bezwaar})),
        bezwaar_alle=any(s.bezwaar_alle for s in found),
        bezwaar_sinds=min((s.bezwaar_sinds for s in found if s.bezwaar_sinds), default=None),
    )


def for_child(records: Iterable[AuditRecord], subjects: set[str]) -> list[AuditRecord]:
    """The audit records about the child, oldest disclosure first."""
    mine = [r for r in records if r.subject in subjects]
    return sorted(mine, key=lambda r: (r.disclosed_at, r.event_time, r.view_id))


def _gegevens(record: AuditRecord) -> str:
    names = dict.fromkeys(f.split(".")[0] for f in (*record.fields, *record.encrypted))
    return ", ".join(GEGEVENS.get(n, n.replace("_", " ")) for n in names)


def _bezwaar(state: ChildViews) -> list[str]:
    """The objection paragraph: active or not, since when, for which partners."""
    if not state.bezwaar_alle and not state.bezwaar:
        return [
            "Bezwaar: er is geen bezwaar tegen het delen vastgelegd. Hieronder leest u hoe u "
            "bezwaar kunt maken.",
            "",
        ]
    since = f"op {datum_nl(state.bezwaar_sinds)} " if state.bezwaar_sinds else ""
    if state.bezwaar_alle:
        return [
            f"Bezwaar: u heeft {since}bezwaar gemaakt tegen het delen. Sindsdien wordt via de "
            "samenwerking onderwijs–jeugd niets meer over uw kind gedeeld, met geen enkele "
            "partner. Wat daarvoor al gedeeld was, staat hierboven.",
            "",
        ]
    partners = [ONTVANGERS.get(a, a).lower() for a in state.bezwaar]
    return [
        f"Bezwaar: u heeft {since}bezwaar gemaakt tegen het delen met "
        f"{'deze partner' if len(partners) == 1 else 'deze partners'}:",
        *(f"- {p}" for p in partners),
        "Sindsdien wordt niets meer over uw kind met "
        f"{'hen' if len(partners) > 1 else 'deze partner'} gedeeld. Met de andere partners "
        "mag informatie nog gedeeld worden volgens het deelbeleid.",
        "",
    ]


def render(
    records: list[AuditRecord],
    today: dt.date,
    policy: Policy | None = None,
    bezwaar: ChildViews | None = None,
    raadplegingen: list[Raadpleging] | None = None,
) -> str:
    """The report a parent reads: per partner what kind of information, when, why, on what basis.

    `bezwaar` is the child's objection state (`bezwaar_of`); None leaves the paragraph out.
    """
    lines = [
        "Inzage: welke informatie over uw kind is gedeeld",
        f"Opgemaakt op {datum_nl(today)}.",
        "",
    ]
    shared = [r for r in records if r.kind is AuditKind.VERSTREKKING]
    notices = [r for r in records if r.kind is AuditKind.WISBERICHT]
    if not shared:
        lines += [
            "Via de samenwerking onderwijs–jeugd is geen informatie over uw kind gedeeld.",
            "",
        ]
    else:
        audiences = list(dict.fromkeys(r.audience for r in shared))
        lines += [
            f"Via de samenwerking onderwijs–jeugd is informatie over uw kind gedeeld met "
            f"{len(audiences)} {'partner' if len(audiences) == 1 else 'partners'}. Hieronder "
            "staat per partner welke soort informatie zij kregen, wanneer, waarom en op grond "
            "van welke wet. De inhoud zelf staat bij de organisatie die haar vastlegde; daar "
            "kunt u die ook inzien.",
            "",
        ]
        for audience in audiences:
            lines += _per_ontvanger(audience, [r for r in shared if r.audience == audience])
    lines += _raadplegingen(raadplegingen or [])
    if bezwaar is not None:
        lines += _bezwaar(bezwaar)
    if notices:
        when = datum_nl(local_date(min(r.disclosed_at for r in notices)))
        told = ", ".join(
            ONTVANGERS.get(a, a).lower() for a in dict.fromkeys(r.audience for r in notices)
        )
        lines += [
            f"Wissing: op {when} zijn de gegevens van uw kind gewist. Wij hebben dat laten weten "
            f"aan: {told}. Versleutelde toelichtingen zijn sindsdien voor niemand meer leesbaar.",
            "",
        ]
    lines += [
        "Wat kunt u doen?",
        "- Bezwaar maken tegen het delen (AVG, artikel 21): vanaf dat moment wordt niets meer "
        "gedeeld met de partners die u noemt.",
        "- Vragen om wissing (AVG, artikel 17) of om correctie (AVG, artikel 16).",
        "- U kunt dit vragen bij de school of bij een van de genoemde partners.",
        "",
        "Deze inzage is gemaakt zonder het burgerservicenummer van uw kind te versturen.",
    ]
    if policy is not None:
        lines.append(f"Geldend deelbeleid: versie {policy.version}.")
    return "\n".join(lines) + "\n"


def _raadplegingen(records: list[Raadpleging]) -> list[str]:
    """Which organisation looked the child up in the loket, and when (Europe/Amsterdam)."""
    if not records:
        return []
    lines = ["Wie heeft uw kind opgezocht of het dossier bekeken in het loket?"]
    for r in sorted(records, key=lambda r: r.at):
        what = {
            Handeling.ZOEKEN: "zocht uw kind op" + ("" if r.gevonden else " (niet gevonden)"),
            Handeling.INZIEN: "bekeek het dossier",
            Handeling.ACTIE: "legde iets vast in het dossier",
        }[r.handeling]
        day = r.at.astimezone(AMSTERDAM).date()
        lines.append(f"- {datum_nl(day)}: {ONTVANGERS.get(r.audience, r.audience)} {what}.")
    return [*lines, ""]


def _per_ontvanger(audience: str, records: list[AuditRecord]) -> list[str]:
    lines = [ONTVANGERS.get(audience, audience)]
    grounds: dict[tuple[str, str, int], list[AuditRecord]] = defaultdict(list)
    for record in records:
        grounds[(record.purpose, record.legal_basis, record.retention_days)].append(record)
    for (purpose, basis, days), group in grounds.items():
        lines += [
            f"  Waarom: {purpose}.",
            f"  Op grond van: {basis}.",
            f"  Mag bewaard worden: {days} dagen na ontvangst.",
            "  Wat en wanneer:",
        ]
        for record in group:
            soort = SOORTEN.get(record.event_type.removeprefix(TYPE_PREFIX), "informatie")
            lines.append(
                f"  - {datum_nl(local_date(record.disclosed_at))}: {soort}. "
                f"Gedeeld: {_gegevens(record)}."
            )
    lines.append("")
    return lines
