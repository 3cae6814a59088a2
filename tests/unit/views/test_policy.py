"""The sharing policy: loading, validation with clear errors, version and hash, ACL topics."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from hub.events import registry as registry_module
from hub.events.envelope import Payload
from hub.events.registry import event_types, payload_model
from hub.events.sensitivity import Sensitivity
from hub.events.topics import AUDIENCES
from hub.events.vocab import Partner
from hub.views.policy import (
    DEFAULT_POLICY_PATH,
    PolicyError,
    expand_type,
    key_audiences,
    load_policy,
    parse_policy,
    view_catalogue,
)

MINIMAL = """
version: "t1"
title: Test policy
audiences:
  leerplicht:
    purpose: Handhaving van de leerplicht
    legal_basis: Leerplichtwet 1969, art. 21
    retention_days: 30
    events:
      school.verzuimmelding.gedaan.v1:
        fields: [melding_id, datum]
"""


NEW_HEALTH_TYPE = "nl.onderwijsjeugd.jgz.nieuw_onderzoek.gedaan.v1"


class NieuwOnderzoek(Payload):
    """A health type added later (not registered: the test puts it in the registry)."""

    event_type: ClassVar[str] = NEW_HEALTH_TYPE
    producers: ClassVar[frozenset[Partner]] = frozenset({Partner.JGZ})
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-26"}

    datum: dt.date


def _problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode())
    return caught.value.problems


class TestDefaultPolicy:
    def test_loads_with_version_and_the_hash_of_its_bytes(self) -> None:
        policy = load_policy()
        assert policy.version == "2026.12-1"
        assert policy.sha256 == hashlib.sha256(DEFAULT_POLICY_PATH.read_bytes()).hexdigest()

    def test_covers_every_audience_of_the_registry(self) -> None:
        policy = load_policy()
        assert {policy.partner_of(a) for a in policy.audiences()} == {a.value for a in AUDIENCES}

    def test_health_content_reaches_only_jgz_and_the_school(self) -> None:
        policy = load_policy()
        health = [
            t for t in event_types() if Sensitivity.GEZONDHEID in payload_model(t).sensitivity
        ]
        assert len(health) >= 5  # sick and recovery reports, both M@ZL consults, the M@ZL signal
        for audience in policy.audiences():
            if policy.partner_of(audience) in ("jgz", "school"):
                continue
            assert not set(policy.grants[audience]) & set(health), audience
            for event_type, grant in policy.grants[audience].items():
                for mark in payload_model(event_type).sensitive_values:
                    allowed = dict(grant.where).get(mark.field)
                    assert allowed, (audience, event_type)
                    assert mark.value not in allowed, (audience, event_type)

    def test_leerplicht_never_learns_the_domain_of_other_partners(self) -> None:
        grants = load_policy().grants["leerplicht"]
        for grant in grants.values():
            assert not [f for f in grant.fields if f.endswith("domein") or "domeinen" in f]
            assert grant.encrypted == ()

    def test_encrypted_free_text_only_to_the_partner_the_routing_rule_names(self) -> None:
        policy = load_policy()
        encrypted = {
            (a, t): g.where
            for a in policy.audiences()
            for t, g in policy.grants[a].items()
            if g.encrypted
        }
        assert {a for a, _ in encrypted} == {"jgz", "buurtteam", "swv"}
        assert all(where for where in encrypted.values())


class TestValidation:
    def test_minimal_policy_loads(self) -> None:
        policy = parse_policy(MINIMAL.encode())
        grant = policy.grant("leerplicht", expand_type("school.verzuimmelding.gedaan.v1"))
        assert grant is not None
        assert grant.fields == ("melding_id", "datum")
        assert grant.legal_basis.startswith("Leerplichtwet")

    def test_yaml_syntax_error_names_the_line(self) -> None:
        problems = _problems(MINIMAL.replace("fields: [melding_id, datum]", "fields: [melding_id"))
        assert len(problems) == 1
        assert "YAML syntax error" in problems[0]
        assert problems[0].startswith("line ")

    def test_unknown_audience(self) -> None:
        problems = _problems(MINIMAL.replace("  leerplicht:", "  politie:"))
        assert problems == [problems[0]]
        assert "audiences.politie: unknown audience" in problems[0]

    def test_unknown_event_type(self) -> None:
        problems = _problems(MINIMAL.replace("verzuimmelding.gedaan", "verzuimmelding.gedoe"))
        assert "unknown event type" in problems[0]

    def test_unknown_field_lists_the_known_ones(self) -> None:
        problems = _problems(MINIMAL.replace("melding_id, datum", "melding_id, naam"))
        assert len(problems) == 1
        assert "unknown field 'naam'" in problems[0]
        assert "verzuimsoort" in problems[0]

    def test_missing_legal_basis(self) -> None:
        problems = _problems(MINIMAL.replace("    legal_basis: Leerplichtwet 1969, art. 21\n", ""))
        assert problems == [
            "audiences.leerplicht.events.school.verzuimmelding.gedaan.v1: no legal basis "
            "(set `legal_basis` on the audience or event)"
        ]

    def test_unknown_key_in_the_format(self) -> None:
        problems = _problems(MINIMAL.replace("retention_days: 30", "bewaren: 30"))
        assert any("bewaren: unknown key" in p for p in problems)

    def test_encrypted_field_must_be_listed_as_encrypted(self) -> None:
        problems = _problems(MINIMAL.replace("melding_id, datum", "melding_id, opmerking"))
        assert "list it under `encrypted`" in problems[0]

    def test_plain_field_listed_as_encrypted_is_refused(self) -> None:
        text = MINIMAL.replace("fields: [melding_id, datum]", "encrypted: [datum]")
        assert "'datum' is not an encrypted field" in _problems(text)[0]

    def test_nested_field_must_exist(self) -> None:
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]",
            "casus.match_gevonden.v1:\n        fields: [betrokkenen.naam]",
        )
        assert "unknown field 'naam'" in _problems(text)[0]

    def test_health_type_to_leerplicht_is_refused(self) -> None:
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]",
            "school.ziekmelding.gedaan.v1:\n        fields: [ziek_vanaf]",
        )
        assert "gezondheid is a special category on this contract" in _problems(text)[0]

    def test_a_new_health_type_is_refused_for_leerplicht(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A type nobody listed anywhere: only its mark on the contract says it is health data.
        monkeypatch.setitem(registry_module._REGISTRY, NEW_HEALTH_TYPE, NieuwOnderzoek)
        grant = "jgz.nieuw_onderzoek.gedaan.v1:\n        fields: [datum]"
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]", grant
        )
        (problem,) = _problems(text)
        assert "jgz.nieuw_onderzoek" in problem
        assert "only jgz, school may receive it" in problem
        jgz = text.replace("  leerplicht:", "  jgz:")
        assert parse_policy(jgz.encode()).grant("jgz", NEW_HEALTH_TYPE) is not None

    def test_a_health_value_needs_a_where_that_excludes_it(self) -> None:
        zorgsignaal = "school.zorgsignaal.afgegeven.v1:\n        fields: [datum, domein]"
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]", zorgsignaal
        )
        (problem,) = _problems(text)
        assert "with domein = gezondheid this type is gezondheid data" in problem
        health = text.replace("domein]", "domein]\n        where: {domein: [leren, gezondheid]}")
        assert "domein = gezondheid" in _problems(health)[0]
        learning = text.replace("domein]", "domein]\n        where: {domein: [leren, gedrag]}")
        assert (
            parse_policy(learning.encode()).grant(
                "leerplicht", expand_type("school.zorgsignaal.afgegeven.v1")
            )
            is not None
        )

    def test_parents_requests_are_never_shared(self) -> None:
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]",
            "privacy.bezwaar.ingediend.v1:\n        fields: [datum]",
        )
        assert "never shared" in _problems(text)[0]

    def test_where_values_are_checked_against_the_enum(self) -> None:
        text = MINIMAL.replace(
            "school.verzuimmelding.gedaan.v1:\n        fields: [melding_id, datum]",
            "school.zorgsignaal.afgegeven.v1:\n        fields: [datum]\n"
            "        where: {domein: [gezin, gezn]}",
        )
        problems = _problems(text)
        assert len(problems) == 1
        assert "unknown value(s) 'gezn'" in problems[0]
        assert "opvoeden" in problems[0]

    def test_every_problem_is_reported_at_once(self) -> None:
        raw = yaml.safe_load(MINIMAL)
        raw["audiences"]["leerplicht"]["events"]["school.verzuimmelding.gedaan.v1"]["fields"] = [
            "x",
            "y",
        ]
        raw["audiences"]["jgzz"] = {"events": {}}
        assert len(_problems(yaml.safe_dump(raw))) == 3

    def test_hash_changes_with_every_byte(self) -> None:
        a = parse_policy(MINIMAL.encode())
        b = parse_policy((MINIMAL + "\n").encode())
        assert a.sha256 != b.sha256
        assert a.version == b.version

    def test_unreadable_file(self, tmp_path: Path) -> None:
        with pytest.raises(PolicyError, match="cannot be read"):
            load_policy(tmp_path / "absent.yaml")


BOARDS = (
    MINIMAL
    + """
  school:
    purpose: Zorgplicht op school
    legal_basis: Wet op het primair onderwijs, art. 8
    retention_days: 30
    events:
      casus.regie.aanvaard.v1:
        fields: [datum, partner]
schoolbesturen:
  "41234":
    naam: Stichting Voorbeeld
    brin: [12AB, 12AC]
  "52345":
    brin: [34CD]
"""
)


class TestSchoolBoards:
    def test_each_named_board_is_an_audience_with_the_school_grants_and_its_own_key(
        self,
    ) -> None:
        policy = parse_policy(BOARDS.encode())
        assert policy.audiences() == ("schoolbestuur:41234", "schoolbestuur:52345", "leerplicht")
        assert "school" not in policy.grants
        for board in ("schoolbestuur:41234", "schoolbestuur:52345"):
            grant = policy.grant(board, "nl.onderwijsjeugd.casus.regie.aanvaard.v1")
            assert grant is not None
            assert grant.audience == board
            assert policy.key_audience(board) == board
            assert policy.partner_of(board) == "school"
        assert policy.boards == {
            "schoolbestuur:41234": ("12AB", "12AC"),
            "schoolbestuur:52345": ("34CD",),
        }
        assert key_audiences(policy)[:2] == ("schoolbestuur:41234", "schoolbestuur:52345")

    def test_a_board_sees_only_children_of_its_own_schools(self) -> None:
        policy = parse_policy(BOARDS.encode())
        assert policy.enrolled("schoolbestuur:41234", ["12AC"])
        assert not policy.enrolled("schoolbestuur:41234", ["34CD"])
        assert not policy.enrolled("schoolbestuur:52345", [])
        assert policy.enrolled("leerplicht", [])

    def test_the_default_policy_names_two_boards(self) -> None:
        policy = load_policy()
        assert set(policy.boards) == {"schoolbestuur:41234", "schoolbestuur:52345"}
        assert "school" not in policy.audiences()

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            ('  "52345":\n    brin: [12AB]', "12AB belongs to school board 41234 too"),
            ('  "Bestuur 1":\n    brin: [56EF]', "school board id 'Bestuur 1' must be"),
            ('  "61234":\n    brin: [56E]', "schoolbesturen.61234.brin.0: String should match"),
        ],
    )
    def test_board_mistakes_are_refused(self, change: str, problem: str) -> None:
        text = BOARDS.replace('  "52345":\n    brin: [34CD]', change)
        assert any(problem in p for p in _problems(text)), _problems(text)

    def test_school_grants_without_a_board_and_a_shared_key_are_refused(self) -> None:
        no_boards = BOARDS[: BOARDS.index("schoolbesturen:")]
        assert any("names no board" in p for p in _problems(no_boards))
        shared = BOARDS.replace("  school:\n", '  school:\n    key: "schoolbestuur:regio"\n')
        assert any("its own key" in p for p in _problems(shared))
        no_school = MINIMAL + BOARDS[BOARDS.index("schoolbesturen:") :]
        assert any("no `audiences.school`" in p for p in _problems(no_school))


def test_view_catalogue_lists_fields_and_basis_per_audience() -> None:
    catalogue = view_catalogue(load_policy())
    zorgsignaal = catalogue["buurtteam"]["nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1"]
    assert zorgsignaal["encrypted"] == ["toelichting"]
    assert zorgsignaal["where"] == {"domein": ["gezin", "opvoeden"]}
    assert zorgsignaal["legal_basis"].startswith("Jeugdwet")
    assert "nl.onderwijsjeugd.school.ziekmelding.gedaan.v1" not in catalogue["leerplicht"]


def test_default_policy_types_are_registered() -> None:
    for grants in load_policy().grants.values():
        for event_type in grants:
            assert payload_model(event_type).event_type == event_type
