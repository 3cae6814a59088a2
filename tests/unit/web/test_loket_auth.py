"""Claims to a professional: organisation and role from the configured claims, nothing else."""

from __future__ import annotations

import json

import pytest

from hub.ops.oidc import DEMO_USERS
from hub.web.auth import NotConnected, professional_from_claims, user_pseudonym
from hub.web.loket_settings import LoketSettings

SETTINGS = LoketSettings()
ISSUER = "http://127.0.0.1:9400"


class TestClaims:
    def test_every_demo_user_but_the_unknown_one_maps_to_an_audience(self) -> None:
        users = json.loads(DEMO_USERS.read_text())
        users.pop("_comment")
        audiences = {}
        for login, user in users.items():
            claims = {"sub": user["sub"], **user["claims"]}
            if login == "onbekend":
                with pytest.raises(NotConnected):
                    professional_from_claims(claims, SETTINGS, ISSUER, 0.0)
                continue
            audiences[login] = professional_from_claims(claims, SETTINGS, ISSUER, 0.0).audience
        assert audiences == {
            "leerplicht": "leerplicht",
            "jgz": "jgz",
            "buurtteam": "buurtteam",
            "swv": "swv",
            "school": "school",
            "gemeente": "gemeente",
            "privacy": "privacyloket",
        }

    def test_the_claim_names_and_mapping_come_from_settings(self) -> None:
        settings = LoketSettings(
            organisation_claim="org", role_claim="roles", organisations={"ggd-x": "jgz"}
        )
        pro = professional_from_claims(
            {"sub": "s1", "org": "ggd-x", "roles": "arts"}, settings, ISSUER, 10.0
        )
        assert (pro.audience, pro.role) == ("jgz", "arts")
        assert pro.expires == 10.0 + settings.session_hours * 3600
        with pytest.raises(NotConnected):
            professional_from_claims({"sub": "s1", "organisatie": "ggd-x"}, settings, ISSUER, 0)

    def test_the_user_id_is_a_pseudonym_per_issuer(self) -> None:
        one = user_pseudonym(ISSUER, "u-1")
        assert one == user_pseudonym(ISSUER, "u-1")
        assert one != user_pseudonym("https://other.example", "u-1")
        assert "u-1" not in one[2:]

    def test_without_a_subject_there_is_no_professional(self) -> None:
        with pytest.raises(NotConnected):
            professional_from_claims({"organisatie": "ggd-voorbeeld/jgz"}, SETTINGS, ISSUER, 0)
