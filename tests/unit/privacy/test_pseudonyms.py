"""Hub pseudonyms, audience pseudonyms and the rotation link."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import KeyRing, KeyRingError
from hub.privacy.pseudonyms import (
    RotationLinker,
    adapter_audience_pseudonym,
    audience_link,
    audience_pseudonym,
    audience_pseudonym_for,
    hub_pseudonym,
    pseudonym_link,
    pseudonymise,
    pseudonymise_raw,
)
from tests.unit.privacy.conftest import fixed_key

CHILD = parse_identifier("bsn", "123456782")
OTHER = parse_identifier("bsn", "111222333")


class TestHubPseudonym:
    def test_is_hmac_of_typed_identifier(self, ring: KeyRing) -> None:
        got = pseudonymise(CHILD, ring)
        key = ring.pseudonym_key().material
        assert got.value == hmac.new(key, b"bsn:123456782", hashlib.sha256).hexdigest()
        assert got.kid == "pseudonym.v1"

    def test_same_child_same_pseudonym_whatever_the_notation(self, ring: KeyRing) -> None:
        again = parse_identifier("bsn", "1234.56.782")
        assert pseudonymise(again, ring) == pseudonymise(CHILD, ring)
        assert pseudonymise(OTHER, ring) != pseudonymise(CHILD, ring)

    def test_raw_in_one_step(self, ring: KeyRing) -> None:
        assert pseudonymise_raw("bsn", "1234 56 782", ring) == pseudonymise(CHILD, ring)

    def test_kind_is_part_of_the_message(self, ring: KeyRing) -> None:
        onr = parse_identifier("onderwijsnummer", "101222331")
        bsn_like = hmac.new(ring.pseudonym_key().material, b"101222331", hashlib.sha256)
        assert pseudonymise(onr, ring).value != bsn_like.hexdigest()

    def test_other_region_unrelated(self, ring: KeyRing) -> None:
        other_region = fixed_key("pseudonym", 1, 99)
        assert hub_pseudonym(CHILD, other_region).value != pseudonymise(CHILD, ring).value

    def test_refuses_a_non_pseudonym_key(self, ring: KeyRing) -> None:
        with pytest.raises(KeyRingError, match="not a regional pseudonym key"):
            hub_pseudonym(CHILD, ring.kek())


class TestAudiencePseudonym:
    def test_each_audience_its_own(self, ring: KeyRing) -> None:
        hub = pseudonymise(CHILD, ring).value
        audiences = ["leerplicht", "jgz", "buurtteam", "swv", "gemeente", "schoolbestuur:41234"]
        values = {audience_pseudonym_for(a, hub, ring) for a in audiences}
        assert len(values) == len(audiences)
        assert all(len(v) == 64 and v == v.lower() for v in values)
        assert hub not in values

    def test_is_hmac_of_hub_pseudonym_hex(self, ring: KeyRing) -> None:
        hub = pseudonymise(CHILD, ring).value
        key = ring.audience_key("jgz").material
        expected = hmac.new(key, hub.encode(), hashlib.sha256).hexdigest()
        assert audience_pseudonym_for("jgz", hub, ring) == expected

    def test_adapter_computes_only_its_own(self, ring: KeyRing) -> None:
        hub = pseudonymise(CHILD, ring).value
        mine = adapter_audience_pseudonym(CHILD, ring.pseudonym_key(), ring.audience_key("jgz"))
        assert mine == audience_pseudonym_for("jgz", hub, ring)
        assert mine != audience_pseudonym_for("leerplicht", hub, ring)

    def test_rejects_non_audience_key_and_bad_input(self, ring: KeyRing) -> None:
        with pytest.raises(KeyRingError):
            audience_pseudonym("a" * 64, ring.kek())
        with pytest.raises(ValueError, match="64 lowercase hex"):
            audience_pseudonym("A" * 64, ring.audience_key("jgz"))


class TestRotation:
    def test_link_old_to_new(self) -> None:
        old, new = fixed_key("pseudonym", 1, 10), fixed_key("pseudonym", 2, 10)
        link = pseudonym_link(CHILD, old, new)
        assert link.old == hub_pseudonym(CHILD, old).value
        assert link.new == hub_pseudonym(CHILD, new).value
        assert (link.old_kid, link.new_kid) == ("pseudonym.v1", "pseudonym.v2")
        assert link.old != link.new

    def test_link_must_go_forward(self) -> None:
        with pytest.raises(KeyRingError, match="older key version to a newer"):
            pseudonym_link(CHILD, fixed_key("pseudonym", 2), fixed_key("pseudonym", 1))

    def test_linker_links_each_child_once(self) -> None:
        ring = KeyRing([fixed_key("pseudonym", 1), fixed_key("pseudonym", 2)])
        linker = RotationLinker.from_ring(ring)
        first, link = linker.pseudonymise(CHILD)
        assert first.kid == "pseudonym.v2"
        assert link is not None
        assert link.new == first.value
        again, none = linker.pseudonymise(parse_identifier("bsn", "123 456 782"))
        assert again == first
        assert none is None
        _, other_link = linker.pseudonymise(OTHER)
        assert other_link is not None
        linker.forget({first.value})
        assert linker.pseudonymise(CHILD)[1] == link

    def test_linker_needs_two_versions(self, ring: KeyRing) -> None:
        with pytest.raises(KeyRingError, match="no rotation"):
            RotationLinker.from_ring(ring)

    def test_audience_link(self, ring: KeyRing) -> None:
        link = pseudonym_link(CHILD, fixed_key("pseudonym", 1), fixed_key("pseudonym", 2))
        seen = audience_link(link, ring.audience_key("swv"))
        assert seen.old == audience_pseudonym(link.old, ring.audience_key("swv"))
        assert seen.new == audience_pseudonym(link.new, ring.audience_key("swv"))
