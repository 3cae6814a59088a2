"""A rich stream of contract and casus events for a few children, and a test key ring."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from hub.events.envelope import Event, new_event
from hub.events.fields import EncryptedText
from hub.events.registry import event_types, payload_model
from hub.events.vocab import Partner
from hub.privacy.fieldcrypt import DataKeyRing, InMemoryDataKeyStore
from hub.privacy.identifiers import parse_identifier
from hub.privacy.intake import IntakeSealer
from hub.privacy.keyring import (
    INTAKE,
    KEK,
    PSEUDONYM,
    Key,
    KeyRing,
    audience_key_name,
    recipient_key_name,
    recipient_private_name,
)
from hub.privacy.pseudonyms import pseudonymise
from hub.privacy.sealing import public_key
from hub.views.reencrypt import ViewCrypto

#: Made-up BSNs that pass the 11-proef, so a leak would be caught.
BSNS = ("111222333", "123456782", "232262536")

KEY_AUDIENCES = (
    "leerplicht",
    "jgz",
    "buurtteam",
    "swv",
    "gemeente",
    "schoolbestuur:41234",
    "schoolbestuur:52345",
)

T0 = dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)


def keyring_for_tests() -> KeyRing:
    """A fixed key ring: pseudonym key, KEK, intake key, every audience key and public key."""
    names = [PSEUDONYM, KEK, INTAKE, *(audience_key_name(a) for a in KEY_AUDIENCES)]
    keys = [Key(n, 1, hashlib.sha256(f"test-{n}".encode()).digest()) for n in names]
    keys += [
        Key(recipient_key_name(a), 1, public_key(recipient_private_for_tests(a)))
        for a in KEY_AUDIENCES
    ]
    return KeyRing(keys)


def recipient_private_for_tests(audience: str) -> bytes:
    """The fixed X25519 private key of `audience` (what the audience alone holds)."""
    return hashlib.sha256(f"test-{recipient_private_name(audience)}".encode()).digest()


NOTE = "Moeder vraagt om een gesprek over thuis."


def hub_pseudonym(bsn: str, ring: KeyRing) -> str:
    """The hub pseudonym of a test child."""
    return pseudonymise(parse_identifier("bsn", bsn), ring).value


def make_event(
    event_type: str,
    child: str,
    ring: KeyRing,
    *,
    record: str,
    data: dict[str, Any] | None = None,
    minutes: int = 0,
) -> Event[Any]:
    """An event of `event_type` about `child` (hub pseudonym), from its first producer."""
    model = payload_model(event_type)
    partner = sorted(model.producers, key=lambda p: p.value)[0]
    if Partner.SCHOOL in model.producers:
        partner = Partner.SCHOOL
    payload = model.model_validate({**model.example, **(data or {})})
    event = new_event(
        payload,
        partner=partner,
        organisation="12AB" if partner is Partner.SCHOOL else "regio",
        system="test",
        source_record_id=record,
        subject=child,
        pseudonymkid=ring.pseudonym_key().kid,
        time=T0 + dt.timedelta(minutes=minutes),
    )
    return seal_notes(event, ring)


def seal_notes(event: Event[Any], ring: KeyRing) -> Event[Any]:
    """The event with every encrypted field a real note sealed to the ring's intake key."""
    names = [n for n, v in event.data if isinstance(v, EncryptedText)]
    if not names or INTAKE not in ring.names():
        return event
    sealer = IntakeSealer.from_keyring(ring)
    notes = {
        n: sealer.encrypt(f"{NOTE} ({n})", child=event.subject, event_id=event.id, field=n)
        for n in names
    }
    return event.model_copy(update={"data": event.data.model_copy(update=notes)})


def consent(child: str, ring: KeyRing, record: str) -> Event[Any]:
    """The parents' consent the default policy's consent-based grants need (JGZ and school)."""
    data = {"doel": "delen_met_partners", "partners": ["jgz", "school"], "geldig_tot": None}
    return make_event(
        "nl.onderwijsjeugd.privacy.toestemming.gegeven.v1", child, ring, record=record, data=data
    )


def rich_stream(ring: KeyRing, children: int = 2) -> list[Event[Any]]:
    """Every non-privacy type for each child, zorgsignalen in every domain, mixed adressaten;
    first the consent the consent-based grants need."""
    events: list[Event[Any]] = []
    minute = 0
    for n, bsn in enumerate(BSNS[:children]):
        child = hub_pseudonym(bsn, ring)
        events.append(consent(child, ring, record=f"ts{n}"))
        for event_type in event_types():
            if ".privacy." in event_type or event_type.endswith("casus.gewist.v1"):
                continue
            minute += 1
            events.append(make_event(event_type, child, ring, record=f"r{n}-{minute}"))
        for domein in ("verzuim", "leren", "gedrag", "gezondheid", "gezin", "opvoeden"):
            minute += 1
            events.append(
                make_event(
                    "nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1",
                    child,
                    ring,
                    record=f"zs{n}-{domein}",
                    data={"domein": domein},
                    minutes=minute,
                )
            )
        for adressaten in (["leerplicht", "swv", "gemeente"], ["jgz", "buurtteam"]):
            minute += 1
            events.append(
                make_event(
                    "nl.onderwijsjeugd.casus.regie.ontbreekt.v1",
                    child,
                    ring,
                    record=f"ro{n}-{minute}",
                    data={"adressaten": adressaten},
                    minutes=minute,
                )
            )
    return events


def crypto_for_tests(ring: KeyRing) -> ViewCrypto:
    """The projector's re-encryption over an in-memory data-key store."""
    return ViewCrypto(ring, DataKeyRing(InMemoryDataKeyStore(), ring))
