"""Special categories are marked on the contract and shown in every artefact generated from it."""

from __future__ import annotations

import yaml

from hub.events.compat import incompatibilities
from hub.events.export import data_schema, render
from hub.events.school import ZIEKMELDING_GEDAAN, ZORGSIGNAAL_AFGEGEVEN
from hub.events.sensitivity import Sensitivity, may_receive
from hub.views.asyncapi import add_views


def test_the_schema_names_the_category_always_or_for_a_value() -> None:
    assert data_schema(ZIEKMELDING_GEDAAN)["x-sensitivity"] == [{"category": "gezondheid"}]
    assert data_schema(ZORGSIGNAAL_AFGEGEVEN)["x-sensitivity"] == [
        {"category": "gezondheid", "field": "domein", "value": "gezondheid"}
    ]
    assert "x-sensitivity" not in data_schema("nl.onderwijsjeugd.casus.match_gevonden.v1")


def test_the_catalogue_and_the_asyncapi_document_show_it() -> None:
    files = render(add_views)
    row = next(
        line
        for line in files["CATALOGUE.md"].decode().splitlines()
        if f"`{ZORGSIGNAAL_AFGEGEVEN}`" in line
    )
    assert "gezondheid when domein = gezondheid" in row
    doc = yaml.safe_load(files["asyncapi.yaml"])
    messages = doc["components"]["messages"]
    (tag,) = messages[ZIEKMELDING_GEDAAN.replace(".", "_")]["tags"]
    assert tag["name"] == "gezondheid"
    assert "only jgz, school may receive it" in tag["description"]
    assert "tags" not in messages["nl_onderwijsjeugd_casus_match_gevonden_v1"]
    view = messages["view_jgz__school_ziekmelding_gedaan_v1"]
    assert view["tags"][0]["name"] == "gezondheid"


def test_a_mark_is_an_annotation_not_a_change_of_the_contract() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert incompatibilities(old, {**old, "x-sensitivity": [{"category": "gezondheid"}]}) == []
    assert incompatibilities(old, {**old, "y-other": 1})


def test_health_receivers() -> None:
    assert may_receive(Sensitivity.GEZONDHEID, "jgz")
    assert may_receive(Sensitivity.GEZONDHEID, "school")
    assert not may_receive(Sensitivity.GEZONDHEID, "leerplicht")
    assert not may_receive(Sensitivity.GEZONDHEID, "gemeente")
