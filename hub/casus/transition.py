"""The casus transition: a pure `(state, input) -> (state, outputs)`; input an event or a tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hub.casus import mazl, regie, termijn, verzuimdrempel
from hub.casus.config import CasusConfig
from hub.casus.state import (
    Betrokkenheid,
    Bezwaar,
    CasusState,
    Regie,
    Signaal,
    Status,
    Thuiszitten,
)
from hub.events import betrokkenheid as bt
from hub.events import buurtteam as bu
from hub.events import casus as cs
from hub.events import jgz, leerplicht, privacy, school, swv
from hub.events.days import day_start, local_date
from hub.events.envelope import Event, Payload
from hub.events.vocab import ContactRol, Domein, Partner


@dataclass(frozen=True)
class Tick:
    """Time passed: the clocks of the case are checked against `now` (tz-aware)."""

    now: dt.datetime


@dataclass(frozen=True)
class Uit:
    """One output: a casus payload, its cause (input event id, or the child for a clock) and kind.

    The emitted event's id is derived from (hub, cause + kind, type), so a replay of the same
    input gives the same id.
    """

    data: Payload
    oorzaak: str
    soort: str
    tijd: dt.datetime


Input = Event[Any] | Tick
Result = tuple[CasusState | None, list[Uit]]


class NotForCasus(ValueError):
    """The input is a valid contract event, but not one the casus takes as input."""


def transition(state: CasusState | None, inp: Input, config: CasusConfig) -> Result:
    """Apply one event or tick to a child's case; None state = no case (or erased)."""
    if isinstance(inp, Tick):
        return _on_tick(state, inp, config)
    return _on_event(state, inp, config)


def wisdatum(geboortejaar: int, config: CasusConfig) -> dt.date:
    """1 January of the year the child turns 23: never later than the birthday itself."""
    return dt.date(geboortejaar + config.wis_leeftijd, 1, 1)


# -- the step under construction --------------------------------------------------------------


@dataclass
class _Stap:
    s: CasusState
    dag: dt.date
    oorzaak: str
    tijd: dt.datetime
    config: CasusConfig
    uit: list[Uit] = field(default_factory=list)
    aanleiding: str | None = None
    partner: Partner | None = None
    #: True once `s` is this step's own copy, which no caller has seen yet.
    eigen: bool = False

    def set(self, **changes: Any) -> None:
        """Change fields of the state: one copy per step, then updates in that copy."""
        if not self.eigen:
            # The input state may be shared (the caller's, the store's): never change it.
            self.s = self.s.model_copy(update=changes)
            self.eigen = True
            return
        # The same updates `model_copy` makes, in the copy only this step holds (no validation).
        self.s.__dict__.update(changes)
        self.s.__pydantic_fields_set__.update(changes)

    def emit(self, data: Payload, soort: str) -> None:
        self.uit.append(Uit(data, self.oorzaak, soort, self.tijd))
        if not isinstance(data, cs.CasusGewist):
            signal = Signaal(soort=_short(data.event_type), datum=self.dag)
            kept = (*self.s.signalen, signal)[-self.config.signalen_max :]
            self.set(signalen=kept)

    def open(self) -> None:
        """A signal: join the open case, or open (reopen) one."""
        self.set(laatste_signaal=self.dag)
        if self.s.status is Status.OPEN:
            return
        self.set(status=Status.OPEN, geopend=self.dag, gesloten=None, bewaren_tot=None)
        if not self.s.actieve_partners() and self.s.thuiszitten.klok is None:
            # Opened by a derived signal: no partner involved yet, so the grace period runs.
            self.set(leeg_sinds=self.dag)
        assert self.aanleiding is not None
        assert self.partner is not None
        self.emit(
            cs.CasusGeopend(
                datum=self.dag,
                aanleiding=self.aanleiding,
                eerste_partner=self.partner,
                geboortejaar=self.s.geboortejaar,
            ),
            "geopend",
        )


def _short(event_type: str) -> str:
    """`nl.onderwijsjeugd.casus.regie.voorgesteld.v1` -> `regie.voorgesteld`."""
    parts = event_type.split(".")
    return ".".join(parts[3:-1])


# -- events -----------------------------------------------------------------------------------


def _on_event(state: CasusState | None, event: Event[Any], config: CasusConfig) -> Result:
    rule = _RULES.get(type(event.data))
    if rule is None:
        raise NotForCasus(f"the casus has no rule for {event.type}")
    if state is not None and event.id in state.gezien:
        return state, []  # a duplicate: no second effect
    dag = local_date(event.time)
    fresh = state is None
    current = state or CasusState(kind=event.subject, pseudonymkid=event.pseudonymkid)
    geboortejaar = _geboortejaar(event.data) or current.geboortejaar
    stap = _Stap(current, dag, event.id, event.time, config, aanleiding=event.type)
    stap.partner = event.partner
    if geboortejaar is not None and dag >= wisdatum(geboortejaar, config):
        if fresh:
            return None, []  # a late event about a child past the age limit: keep nothing
        return _erase(stap, cs.WisReden.LEEFTIJD_23)
    stap.set(geboortejaar=geboortejaar)
    if isinstance(event.data, privacy.VerwijderingVerzocht):
        return _erase(stap, cs.WisReden.VERWIJDERINGSVERZOEK)
    rule(stap, event.data)
    if (
        fresh
        and not stap.uit
        and stap.s.model_copy(update={"geboortejaar": None, "brin": None}) == current
    ):
        return None, []  # nothing worth keeping about a child without a case
    gezien = (*stap.s.gezien, event.id)[-config.gezien_max :]
    stap.set(gezien=gezien, bijgewerkt=max(event.time, stap.s.bijgewerkt or event.time))
    return stap.s, stap.uit


def _geboortejaar(data: Payload) -> int | None:
    """The year of birth an input carries, if its type has the field."""
    # A plain lookup: `getattr` with a default is slow on a pydantic model without the field.
    jaar: int | None = data.__dict__.get("geboortejaar")
    return jaar


def _erase(stap: _Stap, reden: cs.WisReden) -> Result:
    """Crypto-shred: the runner tombstones the data key and the state; only `gewist` remains."""
    stap.emit(cs.CasusGewist(datum=stap.dag, reden=reden), "gewist")
    return None, stap.uit


def _key(b: Betrokkenheid) -> tuple[Partner, Domein]:
    return b.partner, b.domein


def _start(
    stap: _Stap, partner: Partner, domein: Domein, rol: ContactRol | None, sinds: dt.date
) -> None:
    """A partner signals involvement in a domain: join the case, match, regie."""
    before = stap.s.actieve_partners()
    entries = {_key(b): b for b in stap.s.betrokkenheden}
    entry = entries.get((partner, domein))
    if entry is None:
        entry = Betrokkenheid(partner=partner, domein=domein, contactrol=rol, sinds=sinds)
    elif entry.actief:
        # The same partner in the same domain again: an update, not a new intake.
        entry = entry.model_copy(
            update={
                "contactrol": rol or entry.contactrol,
                "sinds": min(sinds, entry.sinds or sinds),
            }
        )
    elif entry.tot is not None and sinds > entry.tot:
        entry = entry.model_copy(update={"contactrol": rol or entry.contactrol, "sinds": sinds})
    else:
        # A start that lies before an end already seen (out of order): remember, stay ended.
        earliest = min(sinds, entry.sinds or sinds)
        entries[(partner, domein)] = entry.model_copy(update={"sinds": earliest})
        stap.set(betrokkenheden=tuple(entries.values()))
        return
    entries[(partner, domein)] = entry
    was_open = stap.s.status is Status.OPEN
    stap.set(betrokkenheden=tuple(entries.values()), leeg_sinds=None)
    stap.partner = partner
    stap.open()
    if partner not in before:
        if was_open:
            stap.emit(
                cs.PartnerAangesloten(
                    datum=stap.dag, betrokkene=_betrokkene(entry), domein=entry.domein
                ),
                "aangesloten",
            )
        _match(stap, partner, entry)
    if rol is ContactRol.CASUSREGISSEUR:
        _aanvaard(stap, partner)
    _regie_bijwerken(stap)


def _betrokkene(b: Betrokkenheid) -> cs.Betrokkene:
    rol = b.contactrol or _STANDAARD_ROL[b.partner]
    return cs.Betrokkene(partner=b.partner, contactrol=rol)


_STANDAARD_ROL: dict[Partner, ContactRol] = {
    Partner.SCHOOL: ContactRol.INTERN_BEGELEIDER,
    Partner.LEERPLICHT: ContactRol.LEERPLICHTAMBTENAAR,
    Partner.JGZ: ContactRol.JEUGDARTS,
    Partner.BUURTTEAM: ContactRol.GEZINSCOACH,
    Partner.SWV: ContactRol.CONSULENT,
}


def _match(stap: _Stap, partner: Partner, entry: Betrokkenheid) -> None:
    """Tell every involved partner about the others, once per pair."""
    partners = stap.s.actieve_partners()
    pairs = {"|".join(sorted((partner.value, p.value))) for p in partners if p is not partner}
    new = pairs - set(stap.s.gematcht)
    if not new:
        return
    stap.set(gematcht=tuple(sorted({*stap.s.gematcht, *new})))
    per_partner: dict[Partner, Betrokkenheid] = {}
    for b in sorted(stap.s.betrokkenheden, key=lambda b: b.sinds or dt.date.min):
        if b.actief and b.partner not in per_partner:
            per_partner[b.partner] = b
    per_partner[partner] = entry
    stap.emit(
        cs.MatchGevonden(
            datum=stap.dag,
            nieuw=_betrokkene(entry),
            betrokkenen=tuple(_betrokkene(per_partner[p]) for p in partners)[:12],
            adressaten=tuple(partners)[:7],
        ),
        "match",
    )


def _end(stap: _Stap, partner: Partner, domein: Domein | None, datum: dt.date) -> None:
    """A partner is no longer involved (in one domain, or in all when `domein` is None)."""
    entries = {_key(b): b for b in stap.s.betrokkenheden}
    touched = [k for k in entries if k[0] is partner and (domein is None or k[1] is domein)]
    if not touched and domein is not None:
        # Ended but never started (or the start is late): remember the end, no effect.
        entries[(partner, domein)] = Betrokkenheid(partner=partner, domein=domein, tot=datum)
    for k in touched:
        b = entries[k]
        ends_now = b.actief and b.sinds is not None and datum >= b.sinds
        later_end = not b.actief and (b.tot is None or datum > b.tot)
        if ends_now or later_end:
            entries[k] = b.model_copy(update={"tot": datum})
    stap.set(betrokkenheden=tuple(entries.values()))
    if stap.s.status is Status.OPEN:
        stap.set(laatste_signaal=stap.dag)
    if stap.s.regie.aanvaard is partner and partner not in stap.s.actieve_partners():
        _regie_vrij(stap)
    _regie_bijwerken(stap)
    _leeg_check(stap)


def _leeg_check(stap: _Stap) -> None:
    empty = not stap.s.actieve_partners() and stap.s.thuiszitten.klok is None
    if stap.s.status is Status.OPEN and empty and stap.s.leeg_sinds is None:
        stap.set(leeg_sinds=stap.dag)
    elif not empty:
        stap.set(leeg_sinds=None)


def _aanvaard(stap: _Stap, partner: Partner) -> None:
    holder = stap.s.regie.aanvaard
    if holder is partner:
        return
    if holder is None:
        stap.emit(cs.RegieAanvaard(datum=stap.dag, partner=partner), "regie-aanvaard")
    else:
        stap.emit(
            cs.RegieOvergedragen(datum=stap.dag, van=holder, naar=partner), "regie-overgedragen"
        )
    stap.set(regie=stap.s.regie.model_copy(update={"aanvaard": partner, "aanvaard_op": stap.dag}))


def _regie_vrij(stap: _Stap) -> None:
    """The regisseur gave regie back or left: a new proposal and a new waiting time."""
    stap.set(
        regie=stap.s.regie.model_copy(
            update={
                "aanvaard": None,
                "aanvaard_op": None,
                "voorgesteld": None,
                "nodig_sinds": None,
                "ontbreekt_gemeld": False,
            }
        )
    )


def _regie_bijwerken(stap: _Stap) -> None:
    """Propose regie by the routing rule once 2+ partners are involved and none accepted."""
    partners = stap.s.actieve_partners()
    r = stap.s.regie
    if len(partners) < 2:
        if r.nodig_sinds is not None or r.voorgesteld is not None:
            keep = r.aanvaard if r.aanvaard in partners else None
            stap.set(regie=Regie(aanvaard=keep, aanvaard_op=r.aanvaard_op if keep else None))
        return
    if r.nodig_sinds is None:
        r = r.model_copy(update={"nodig_sinds": stap.dag, "ontbreekt_gemeld": False})
    if r.aanvaard is not None and r.aanvaard in partners:
        stap.set(regie=r)
        return
    domeinen = [d.value for d in stap.s.actieve_domeinen()]
    proposal = regie.stel_regie_voor(domeinen, [p.value for p in partners])
    if proposal is None or Partner(proposal[0]) is r.voorgesteld:
        stap.set(regie=r)
        return
    chosen, reason = Partner(proposal[0]), proposal[1]
    regel = (
        cs.RegieRegel.ROUTERINGSREGEL
        if reason.startswith("routeringsregel")
        else cs.RegieRegel.RANGORDE
    )
    routed = regie.routering(domeinen)
    stap.set(
        regie=r.model_copy(
            update={"voorgesteld": chosen, "regel": regel.value, "toelichting": reason}
        )
    )
    stap.emit(
        cs.RegieVoorgesteld(
            datum=stap.dag,
            partner=chosen,
            regel=regel,
            domeinen=tuple(Domein(d) for d, p in sorted(routed.items()) if p == chosen.value),
            toelichting=reason,
            adressaten=tuple(partners),
        ),
        "regie-voorgesteld",
    )


# -- the rules per input type -----------------------------------------------------------------


def _betrokkenheid_gestart(stap: _Stap, d: bt.BetrokkenheidGestart) -> None:
    assert stap.partner is not None
    _start(stap, stap.partner, d.domein, d.contactrol, d.sinds)


def _betrokkenheid_beeindigd(stap: _Stap, d: bt.BetrokkenheidBeeindigd) -> None:
    assert stap.partner is not None
    partner = stap.partner
    if d.contactrol is ContactRol.CASUSREGISSEUR and d.reden is bt.EindeReden.OVERGEDRAGEN:
        # The regisseur hands regie back but stays involved.
        if stap.s.regie.aanvaard is partner:
            _regie_vrij(stap)
            _regie_bijwerken(stap)
        return
    _end(stap, partner, d.domein, d.datum)


def _zorgsignaal(stap: _Stap, d: school.ZorgsignaalAfgegeven) -> None:
    _brin(stap, d.brin)
    _start(stap, Partner.SCHOOL, d.domein, ContactRol.INTERN_BEGELEIDER, d.datum)


def _verzuimmelding(stap: _Stap, d: school.VerzuimmeldingGedaan) -> None:
    _brin(stap, d.brin)
    _start(stap, Partner.SCHOOL, Domein.VERZUIM, ContactRol.INTERN_BEGELEIDER, d.datum)


def _brin(stap: _Stap, brin: str | None) -> None:
    if brin is not None:
        stap.set(brin=brin)


def _verzuim(stap: _Stap, d: school.VerzuimGeregistreerd) -> None:
    _brin(stap, d.brin)
    if d.soort is not school.VerzuimSoort.ONGEOORLOOFD:
        return
    teller, breach = verzuimdrempel.registreer(
        stap.s.verzuim, d.datum, Decimal(str(d.lesuren)), stap.config.kalender
    )
    stap.set(verzuim=teller)
    if breach is None:
        return
    stap.partner = Partner.SCHOOL
    stap.open()
    stap.emit(
        cs.VerzuimdrempelOverschreden(
            periode_van=breach.van,
            periode_tot=breach.tot + dt.timedelta(days=4),
            lesuren_ongeoorloofd=float(breach.uren),
            melden_uiterlijk=verzuimdrempel.meld_uiterlijk(d.datum, stap.config.kalender),
            brin=stap.s.brin,
            adressaten=(Partner.SCHOOL, Partner.LEERPLICHT),
        ),
        "verzuimdrempel",
    )


def _mazl(stap: _Stap, reden: mazl.MazlReden | None, datum: dt.date, episode: dt.date) -> None:
    if reden is None:
        return
    stap.partner = stap.partner or Partner.SCHOOL
    if stap.s.status is not Status.OPEN and stap.aanleiding is None:
        stap.aanleiding = cs.ZORGWEKKEND_ZIEKTEVERZUIM
    stap.open()
    stap.emit(
        cs.ZorgwekkendZiekteverzuim(
            criterium=cs.MazlCriterium(reden.value),
            datum=datum,
            adressaten=(Partner.SCHOOL, Partner.JGZ),
        ),
        f"mazl-{reden.value}-{episode}",
    )


def _ziek(stap: _Stap, d: school.ZiekmeldingGedaan) -> None:
    _brin(stap, d.brin)
    verloop, reden = mazl.ziekmelding(stap.s.ziekte, d.ziek_vanaf, stap.config.kalender)
    stap.set(ziekte=verloop)
    _mazl(stap, reden, d.ziek_vanaf, d.ziek_vanaf)


def _hersteld(stap: _Stap, d: school.HerstelmeldingGedaan) -> None:
    _brin(stap, d.brin)
    sinds = stap.s.ziekte.ziek_sinds or d.ziek_vanaf or d.hersteld_op
    verloop, reden = mazl.herstelmelding(stap.s.ziekte, d.hersteld_op, stap.config.kalender)
    stap.set(ziekte=verloop)
    _mazl(stap, reden, d.hersteld_op - dt.timedelta(days=1), sinds)


def _inschrijving(stap: _Stap, d: school.InschrijvingGeregistreerd) -> None:
    _brin(stap, d.brin)


def _alleen_aansluiten(stap: _Stap, d: Payload) -> None:
    """Facts the casus only records as seen: they join no involvement of their own."""


def _thuiszitter(stap: _Stap, d: leerplicht.ThuiszitterGemeld) -> None:
    t = stap.s.thuiszitten
    if t.aanbod_sinds is not None and t.aanbod_sinds >= d.sinds:
        klok = t.klok  # an offer already started after this date (out of order): no clock
    elif t.klok is None:
        klok = termijn.Termijnklok(sinds=d.sinds, soort=d.soort.value)
    elif d.sinds < t.klok.sinds:
        klok = t.klok.model_copy(update={"sinds": d.sinds})
    else:
        klok = t.klok
    stap.set(thuiszitten=t.model_copy(update={"klok": klok}))
    _start(stap, Partner.LEERPLICHT, Domein.VERZUIM, ContactRol.LEERPLICHTAMBTENAAR, d.sinds)


def _aanbod(stap: _Stap, d: leerplicht.OnderwijsaanbodGestart) -> None:
    t = stap.s.thuiszitten
    aanbod = max(d.datum, t.aanbod_sinds or d.datum)
    klok = t.klok if t.klok is not None and t.klok.sinds > d.datum else None
    stap.set(thuiszitten=Thuiszitten(klok=klok, aanbod_sinds=aanbod))
    _leeg_check(stap)


def _zaak_open(stap: _Stap, d: leerplicht.LeerplichtzaakGeopend) -> None:
    _start(stap, Partner.LEERPLICHT, Domein.VERZUIM, ContactRol.LEERPLICHTAMBTENAAR, d.datum)


def _zaak_dicht(stap: _Stap, d: leerplicht.LeerplichtzaakGesloten) -> None:
    _end(stap, Partner.LEERPLICHT, Domein.VERZUIM, d.datum)


def _consult_aangevraagd(stap: _Stap, d: jgz.MazlConsultAangevraagd) -> None:
    assert stap.partner is not None
    rol = _STANDAARD_ROL[stap.partner]
    _start(stap, stap.partner, Domein.GEZONDHEID, rol, d.datum)


def _consult_gehouden(stap: _Stap, d: jgz.MazlConsultGehouden) -> None:
    _start(stap, Partner.JGZ, Domein.GEZONDHEID, ContactRol.JEUGDARTS, d.datum)


def _hulp_start(stap: _Stap, d: bu.HulptrajectGestart) -> None:
    _start(stap, Partner.BUURTTEAM, d.domein, ContactRol.GEZINSCOACH, d.datum)


def _hulp_einde(stap: _Stap, d: bu.HulptrajectBeeindigd) -> None:
    _end(stap, Partner.BUURTTEAM, None, d.datum)


def _swv(stap: _Stap, d: swv.ArrangementToegekend) -> None:
    _start(stap, Partner.SWV, Domein.LEREN, ContactRol.CONSULENT, d.van)


def _swv_datum(stap: _Stap, d: swv.ToelaatbaarheidsverklaringAfgegeven) -> None:
    _start(stap, Partner.SWV, Domein.LEREN, ContactRol.CONSULENT, d.datum)


def _overleg(stap: _Stap, d: swv.ThuiszitterOverlegGehouden) -> None:
    _start(stap, Partner.SWV, Domein.LEREN, ContactRol.CONSULENT, d.datum)


def _bezwaar(stap: _Stap, d: privacy.BezwaarIngediend) -> None:
    if any(b.verzoek_id == d.verzoek_id for b in stap.s.bezwaren):
        return
    bezwaar = Bezwaar(verzoek_id=d.verzoek_id, datum=d.datum, partners=d.partners)
    stap.set(bezwaren=(*stap.s.bezwaren, bezwaar))


_RULES: dict[type[Payload], Callable[[_Stap, Any], None]] = {
    bt.BetrokkenheidGestart: _betrokkenheid_gestart,
    bt.BetrokkenheidBeeindigd: _betrokkenheid_beeindigd,
    school.ZorgsignaalAfgegeven: _zorgsignaal,
    school.VerzuimmeldingGedaan: _verzuimmelding,
    school.VerzuimmeldingStatusGewijzigd: _alleen_aansluiten,
    school.VerzuimGeregistreerd: _verzuim,
    school.ZiekmeldingGedaan: _ziek,
    school.HerstelmeldingGedaan: _hersteld,
    school.InschrijvingGeregistreerd: _inschrijving,
    school.UitschrijvingGeregistreerd: _alleen_aansluiten,
    leerplicht.ThuiszitterGemeld: _thuiszitter,
    leerplicht.OnderwijsaanbodGestart: _aanbod,
    leerplicht.LeerplichtzaakGeopend: _zaak_open,
    leerplicht.LeerplichtzaakGesloten: _zaak_dicht,
    jgz.MazlConsultAangevraagd: _consult_aangevraagd,
    jgz.MazlConsultGehouden: _consult_gehouden,
    bu.HulptrajectGestart: _hulp_start,
    bu.HulptrajectBeeindigd: _hulp_einde,
    swv.ArrangementToegekend: _swv,
    swv.ArrangementBeeindigd: _alleen_aansluiten,
    swv.ToelaatbaarheidsverklaringAfgegeven: _swv_datum,
    swv.ThuiszitterOverlegGehouden: _overleg,
    privacy.BezwaarIngediend: _bezwaar,
    privacy.VerwijderingVerzocht: _alleen_aansluiten,  # handled before the rules: erasure
    privacy.InzageVerzocht: _alleen_aansluiten,
    privacy.ToestemmingGegeven: _alleen_aansluiten,
    privacy.ToestemmingIngetrokken: _alleen_aansluiten,
}


def handled_types() -> tuple[str, ...]:
    """The event types the casus takes as input."""
    return tuple(sorted(m.event_type for m in _RULES))


# -- ticks ------------------------------------------------------------------------------------


def _on_tick(state: CasusState | None, tick: Tick, config: CasusConfig) -> Result:
    if state is None:
        return None, []
    today = local_date(tick.now)
    stap = _Stap(state, today, state.kind, tick.now, config)
    s = state
    if s.geboortejaar is not None and today >= wisdatum(s.geboortejaar, config):
        stap.oorzaak = f"{s.kind}:{today.year}"
        return _erase(stap, cs.WisReden.LEEFTIJD_23)
    if s.status is Status.GEARCHIVEERD:
        if s.bewaren_tot is not None and today >= s.bewaren_tot:
            stap.oorzaak = f"{s.kind}:{s.bewaren_tot}"
            return _erase(stap, cs.WisReden.BEWAARTERMIJN_VERSTREKEN)
        return s, []
    if s.status is Status.GEEN:
        seen = local_date(s.bijgewerkt) if s.bijgewerkt else today
        if today >= seen + dt.timedelta(days=config.archiveer_na_dagen):
            return None, []  # counters nobody needs any more; there never was a case
    last = s.laatste_signaal
    stale = last is not None and today >= last + dt.timedelta(days=config.archiveer_na_dagen)
    if stale and s.status is not Status.GEEN:
        return _archive(stap), stap.uit
    _tick_klok(stap)
    _tick_ziekte(stap)
    _tick_regie(stap)
    _tick_sluiten(stap)
    if stap.s == state:
        return state, []
    return stap.s.model_copy(
        update={"bijgewerkt": max(tick.now, s.bijgewerkt or tick.now)}
    ), stap.uit


def _archive(stap: _Stap) -> CasusState:
    s = stap.s
    assert s.laatste_signaal is not None
    bewaren_tot = termijn.plus_maanden(s.laatste_signaal, 12 * stap.config.archief_jaren)
    stap.oorzaak = f"{s.kind}:{s.laatste_signaal}"
    stap.emit(cs.CasusGearchiveerd(datum=stap.dag, bewaren_tot=bewaren_tot), "gearchiveerd")
    return CasusState(
        kind=s.kind,
        pseudonymkid=s.pseudonymkid,
        status=Status.GEARCHIVEERD,
        geopend=s.geopend,
        gesloten=s.gesloten or stap.dag,
        betrokkenheden=s.betrokkenheden,
        geboortejaar=s.geboortejaar,
        bezwaren=s.bezwaren,
        signalen=stap.s.signalen,
        laatste_signaal=s.laatste_signaal,
        bewaren_tot=bewaren_tot,
        bijgewerkt=stap.tijd,
        gezien=s.gezien,
    )


def _tick_klok(stap: _Stap) -> None:
    klok = stap.s.thuiszitten.klok
    if klok is None:
        return
    klok, momenten = termijn.tik(klok, stap.dag, stap.config.termijn_waarschuwingen)
    stap.set(thuiszitten=stap.s.thuiszitten.model_copy(update={"klok": klok}))
    soort = leerplicht.ThuiszitterSoort(klok.soort)
    for m in momenten:
        stap.oorzaak = f"{stap.s.kind}:{klok.sinds}"
        if m.verstreken:
            stap.emit(
                cs.ThuiszitterTermijnVerstreken(
                    soort=soort,
                    sinds=klok.sinds,
                    deadline=m.deadline,
                    dagen_over=max(0, (stap.dag - m.deadline).days),
                    adressaten=(Partner.LEERPLICHT, Partner.SWV, Partner.GEMEENTE),
                ),
                "verstreken",
            )
        else:
            moment = klok.sinds + dt.timedelta(days=m.dagen)
            stap.emit(
                cs.ThuiszitterTermijnWaarschuwing(
                    soort=soort,
                    sinds=klok.sinds,
                    deadline=m.deadline,
                    resterende_dagen=min(366, max(0, (m.deadline - moment).days)),
                    adressaten=(Partner.LEERPLICHT, Partner.SWV),
                ),
                f"waarschuwing-{m.dagen}",
            )


def _tick_ziekte(stap: _Stap) -> None:
    sinds = stap.s.ziekte.ziek_sinds
    verloop, reden = mazl.controleer(stap.s.ziekte, stap.dag, stap.config.kalender)
    if reden is None:
        return
    stap.set(ziekte=verloop)
    stap.oorzaak = stap.s.kind
    stap.aanleiding = cs.ZORGWEKKEND_ZIEKTEVERZUIM
    stap.partner = Partner.SCHOOL
    _mazl(stap, reden, stap.dag, sinds or stap.dag)


def _tick_regie(stap: _Stap) -> None:
    r = stap.s.regie
    if r.nodig_sinds is None or r.aanvaard is not None or r.ontbreekt_gemeld:
        return
    if stap.dag < r.nodig_sinds + dt.timedelta(days=stap.config.regie_termijn_dagen):
        return
    partners = stap.s.actieve_partners()
    if not partners:
        return
    stap.oorzaak = f"{stap.s.kind}:{r.nodig_sinds}"
    stap.set(regie=r.model_copy(update={"ontbreekt_gemeld": True}))
    stap.emit(
        cs.RegieOntbreekt(
            sinds=r.nodig_sinds,
            termijn_dagen=stap.config.regie_termijn_dagen,
            voorgesteld=r.voorgesteld,
            adressaten=tuple(partners)[:7],
        ),
        "regie-ontbreekt",
    )


def _tick_sluiten(stap: _Stap) -> None:
    s = stap.s
    if s.status is not Status.OPEN or s.leeg_sinds is None or s.thuiszitten.klok is not None:
        return
    if stap.dag < s.leeg_sinds + dt.timedelta(days=stap.config.sluit_na_dagen):
        return
    stap.oorzaak = f"{s.kind}:{s.leeg_sinds}"
    stap.emit(cs.CasusGesloten(datum=stap.dag, reden=cs.SluitReden.GEEN_BETROKKENHEID), "gesloten")
    stap.set(status=Status.GESLOTEN, gesloten=stap.dag, leeg_sinds=None)


# -- when the next tick matters ---------------------------------------------------------------


def volgende_moment(state: CasusState, config: CasusConfig) -> dt.datetime | None:
    """The earliest moment at which a tick changes this case (deadlines derive from state)."""
    days: list[dt.date] = []
    s = state
    if s.geboortejaar is not None:
        days.append(wisdatum(s.geboortejaar, config))
    if s.status is Status.GEARCHIVEERD:
        if s.bewaren_tot is not None:
            days.append(s.bewaren_tot)
        return _first(days)
    if s.status is Status.GEEN and s.bijgewerkt is not None:
        days.append(local_date(s.bijgewerkt) + dt.timedelta(days=config.archiveer_na_dagen))
    if s.laatste_signaal is not None and s.status is not Status.GEEN:
        days.append(s.laatste_signaal + dt.timedelta(days=config.archiveer_na_dagen))
    klok = s.thuiszitten.klok
    if klok is not None:
        deadline = klok.deadline
        for offset in sorted(config.termijn_waarschuwingen):
            moment = klok.sinds + dt.timedelta(days=offset)
            if offset not in klok.gewaarschuwd and moment < deadline:
                days.append(moment)
                break
        if not klok.verstreken_gemeld:
            days.append(deadline)
    z = s.ziekte
    if z.ziek_sinds is not None and z.lang_gemeld_voor != z.ziek_sinds:
        day, count = z.ziek_sinds, 0
        for _ in range(120):
            count += config.kalender.is_lesdag(day)
            if count >= mazl.AANEENGESLOTEN_LESDAGEN:
                days.append(day)
                break
            day += dt.timedelta(days=1)
    r = s.regie
    if r.nodig_sinds is not None and r.aanvaard is None and not r.ontbreekt_gemeld:
        days.append(r.nodig_sinds + dt.timedelta(days=config.regie_termijn_dagen))
    if s.status is Status.OPEN and s.leeg_sinds is not None and klok is None:
        days.append(s.leeg_sinds + dt.timedelta(days=config.sluit_na_dagen))
    return _first(days)


def _first(days: list[dt.date]) -> dt.datetime | None:
    if not days:
        return None
    # Amsterdam midnight of the day (a deadline passes when that calendar day begins), in UTC.
    return day_start(min(days)).astimezone(dt.UTC)
