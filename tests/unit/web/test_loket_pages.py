"""The signed-in loket without a broker: sessions, per-organisation pages, search, actions."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from hub.events.topics import AUDIT, contract_topic
from hub.views import raadpleging
from hub.web.pages import LoketServices
from tests.unit.views.stream import BSNS, hub_pseudonym
from tests.unit.web.loket_fixtures import (
    RING,
    Published,
    client,
    fed,
    services,
    sign_in,
    subject_of,
)

#: Made up, passes the 11-proef, never in any test stream.
UNKNOWN_BSN = "999990019"


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
def svc(published: Published) -> LoketServices:
    return services(fed(), published)


@pytest.fixture
def http(svc: LoketServices) -> TestClient:
    return client(svc)


def lookups(published: Published) -> list[raadpleging.Raadpleging]:
    return [
        raadpleging.decode(o.value)
        for o in published.outputs
        if o.topic == AUDIT and raadpleging.is_raadpleging(o.headers)
    ]


class TestNoSessionNoAnswer:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/loket"),
            ("GET", "/loket/casus/" + "a" * 64),
            ("GET", "/loket/stroom"),
            ("POST", "/loket/zoeken"),
            ("POST", "/loket/betrokkenheid"),
            ("POST", "/loket/casus/" + "a" * 64 + "/actie"),
        ],
    )
    def test_every_loket_path_refuses_without_a_session(
        self, http: TestClient, method: str, path: str
    ) -> None:
        answer = http.request(method, path, data={"nummer": BSNS[0]})
        assert answer.status_code == 401
        assert "K-" not in answer.text
        assert "Traceback" not in answer.text

    def test_an_expired_session_is_refused_in_dutch(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "leerplicht", expires=time.time() - 1)
        answer = http.get("/loket")
        assert answer.status_code == 401
        assert "sessie verlopen" in answer.text

    def test_a_forged_session_cookie_is_no_session(self, http: TestClient) -> None:
        http.cookies.set("loket_sessie", "eyJsb2tldCI6IHt9fQ==.forged.sig", domain="loket.example")
        assert http.get("/loket").status_code == 401


class TestPerOrganisation:
    def test_each_organisation_lists_only_its_own_cases(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "leerplicht")
        page = http.get("/loket").text
        assert subject_of("leerplicht", BSNS[0]) in page
        assert subject_of("leerplicht", BSNS[1]) not in page
        assert subject_of("jgz", BSNS[0]) not in page  # another audience's pseudonym
        assert "Casussen van uw organisatie (1)" in page

    def test_a_case_of_another_organisation_typed_in_the_url_is_not_found(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "leerplicht")
        theirs = http.get(f"/loket/casus/{subject_of('jgz', BSNS[1])}")
        nonexistent = http.get("/loket/casus/" + "b" * 64)
        assert theirs.status_code == nonexistent.status_code == 404
        assert "hoort niet bij uw organisatie" in theirs.text
        assert theirs.text.replace("b" * 64, "") == nonexistent.text.replace("b" * 64, "")

    def test_the_case_page_shows_partners_with_contact_points_never_why(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "leerplicht")
        page = http.get(f"/loket/casus/{subject_of('leerplicht')}").text
        assert "Jeugdgezondheidszorg" in page
        assert svc.settings.contacts["jgz"] in page
        assert "gezondheid" not in page.lower().replace("jeugdgezondheidszorg", "")
        assert "Leerplicht (voorgesteld op 18 november 2026" in page
        assert "Nog 24 dagen tot de deadline van 14 december 2026" in page

    def test_jgz_sees_the_granted_zorgsignaal_fields_leerplicht_does_not(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "jgz")
        jgz = http.get(f"/loket/casus/{subject_of('jgz')}").text
        assert "Zorgsignaal van school" in jgz
        assert "versleuteld" in jgz
        sign_in(http, svc, "leerplicht")
        leerplicht = http.get(f"/loket/casus/{subject_of('leerplicht')}").text
        assert "Zorgsignaal" not in leerplicht

    def test_the_gemeente_sees_figures_not_children(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "gemeente")
        page = http.get("/loket").text
        assert "cijfers, geen kinderen" in page
        assert "/loket/casus/" not in page


class TestSearch:
    def test_a_bsn_failing_the_11_proef_gets_a_dutch_message(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        answer = http.post(
            "/loket/zoeken", data={"csrf": pro.csrf, "soort": "bsn", "nummer": "123456789"}
        )
        assert answer.status_code == 400
        assert "11-proef" in answer.text
        assert "123456789" not in answer.text
        assert published.outputs == []

    def test_found_redirects_to_the_case_and_is_audited_without_the_number(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        answer = http.post(
            "/loket/zoeken",
            data={"csrf": pro.csrf, "soort": "bsn", "nummer": BSNS[0]},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/loket/casus/{subject_of('leerplicht')}"
        [record] = lookups(published)
        assert record.handeling is raadpleging.Handeling.ZOEKEN
        assert record.gevonden
        assert record.subject == subject_of("leerplicht")
        assert record.user == pro.user
        assert all(BSNS[0].encode() not in (o.value or b"") for o in published.outputs)

    def test_not_found_reveals_nothing_of_other_partners_and_offers_registration(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        # Child 1 is known to JGZ and the buurtteam, not to leerplicht.
        involved = http.post("/loket/zoeken", data={"csrf": pro.csrf, "nummer": BSNS[1]})
        nobody = http.post("/loket/zoeken", data={"csrf": pro.csrf, "nummer": UNKNOWN_BSN})
        assert involved.status_code == nobody.status_code == 404
        for page in (involved.text, nobody.text):
            assert "Betrokkenheid registreren" in page
            assert "Buurtteam" not in page
            assert "Jeugdgezondheidszorg" not in page
        assert [r.gevonden for r in lookups(published)] == [False, False]

    def test_registering_involvement_publishes_a_contract_event_once(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        page = http.post("/loket/zoeken", data={"csrf": pro.csrf, "nummer": BSNS[1]}).text
        token = page.split('name="token" value="')[1].split('"')[0]
        form = {"csrf": pro.csrf, "token": token, "domein": "verzuim"}
        first = http.post("/loket/betrokkenheid", data=form, follow_redirects=False)
        again = http.post("/loket/betrokkenheid", data=form, follow_redirects=False)
        assert first.status_code == 303
        assert again.status_code == 409
        events = [o for o in published.outputs if o.topic == contract_topic("leerplicht")]
        assert len(events) == 1
        assert events[0].key == hub_pseudonym(BSNS[1], RING).encode()
        headers = dict(events[0].headers)
        assert headers["ce_type"] == b"nl.onderwijsjeugd.betrokkenheid.gestart.v1"
        assert json.loads(events[0].value or b"")["contactrol"] == "leerplichtambtenaar"
        assert token not in http.get("/loket").text


class TestActions:
    def test_accepting_regie_publishes_once_even_when_submitted_twice(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        subject = subject_of("leerplicht")
        page = http.get(f"/loket/casus/{subject}").text
        assert "Regie aanvaarden" in page
        nonce = page.split('name="nonce" value="')[1].split('"')[0]
        form = {"csrf": pro.csrf, "nonce": nonce, "actie": "regie_aanvaarden"}
        first = http.post(f"/loket/casus/{subject}/actie", data=form, follow_redirects=False)
        second = http.post(f"/loket/casus/{subject}/actie", data=form, follow_redirects=False)
        assert first.status_code == 303
        assert second.status_code == 409
        assert "al verwerkt" in second.text
        [event] = [o for o in published.outputs if o.topic == contract_topic("leerplicht")]
        assert json.loads(event.value or b"")["contactrol"] == "casusregisseur"
        assert event.key == hub_pseudonym(BSNS[0], RING).encode()
        source = dict(event.headers)["ce_source"].decode()
        assert source.startswith("/partners/leerplicht/")
        assert pro.user[:10] in source

    def test_a_form_without_the_session_csrf_token_is_refused(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        sign_in(http, svc, "leerplicht")
        subject = subject_of("leerplicht")
        forged = {"csrf": "guessed", "nonce": "n1", "actie": "regie_aanvaarden"}
        answer = http.post(f"/loket/casus/{subject}/actie", data=forged)
        assert answer.status_code == 403
        assert "Formulier geweigerd" in answer.text
        assert published.outputs == []

    def test_a_form_posted_from_another_origin_is_refused(
        self, http: TestClient, svc: LoketServices, published: Published
    ) -> None:
        pro = sign_in(http, svc, "leerplicht")
        answer = http.post(
            "/loket/zoeken",
            data={"csrf": pro.csrf, "nummer": BSNS[0]},
            headers={"origin": "https://evil.example"},
        )
        assert answer.status_code == 403
        assert published.outputs == []


class TestHeaders:
    def test_pages_carry_a_strict_csp_and_are_never_stored(
        self, http: TestClient, svc: LoketServices
    ) -> None:
        sign_in(http, svc, "leerplicht")
        answer = http.get(f"/loket/casus/{subject_of('leerplicht')}")
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["cache-control"] == "no-store"
        assert "<script>" not in answer.text
        assert " style=" not in answer.text

    def test_static_assets_are_served_by_the_hub(self, http: TestClient) -> None:
        assert http.get("/static/loket.css").status_code == 200
        assert http.get("/static/loket.js").status_code == 200
