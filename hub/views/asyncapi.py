"""The projected part of the AsyncAPI document: view messages per audience, figures and audit.

`hub.events.export` documents the contract topics; it cannot know the sharing policy (hub.events
must not import hub.views). `add_views` is the hook the CLI hands to the export: per view channel,
one message per event type the shipped policy grants that audience, with a payload schema that
holds only the granted fields (all optional), the view headers, and purpose and legal basis; the
erasure notice; and the messages of the indicators and audit topics.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from typing import Any

from pydantic import BaseModel

from hub.events.envelope import schema_uri
from hub.events.export import (
    PSEUDONYM_PATTERN,
    data_schema,
    example_event,
    sensitivity_tags,
    topic_channel,
)
from hub.events.registry import payload_model
from hub.events.topics import AUDIT, INDICATORS, topic, view_spec, view_topic
from hub.events.vocab import Partner
from hub.privacy.keyring import audience_key_name
from hub.views.audit import AuditRecord
from hub.views.indicators import Cell
from hub.views.policy import Grant, Policy, load_policy, short_type
from hub.views.project import (
    ERASURE_BASIS,
    ERASURE_PURPOSE,
    PROJECTOR_SOURCE,
    ViewEvent,
    project_data,
    view_id,
)
from hub.views.wire import encode_view

__all__ = ["add_views", "message_id", "view_messages", "view_payload_schema"]

KAFKA_BINDING = "0.5.0"
ERASURE_TYPE = "nl.onderwijsjeugd.casus.gewist.v1"


def message_id(audience: str, event_type: str) -> str:
    """Component id of the view message of `event_type` for `audience`."""
    return f"view_{_slug(audience)}__{short_type(event_type).replace('.', '_')}"


def erasure_id(audience: str) -> str:
    """Component id of the erasure notice of `audience`."""
    return f"view_{_slug(audience)}__wisbericht"


def _slug(audience: str) -> str:
    return audience.replace(":", "_")  # `schoolbestuur:41234`: component ids allow no colon


def inline(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every local `$ref` replaced by its definition and `$defs` dropped.

    An inline payload in the AsyncAPI document resolves `#/...` against the document, not
    against the contract schema, so the view schemas must not point into `$defs`.
    """
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items() if k not in ("$ref", "$defs")}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out = walk(defs[ref.removeprefix("#/$defs/")]) | out
        return out

    result: dict[str, Any] = walk(schema)
    for key in ("$schema", "$id"):
        result.pop(key, None)
    return result


def _restrict(node: dict[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    """The object schema `node` with only `paths` (nested names) kept, every property optional."""
    if "anyOf" in node:
        return node | {
            "anyOf": [
                _restrict(branch, paths) if _is_object(branch) else branch
                for branch in node["anyOf"]
            ]
        }
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return node | {"items": _restrict(node["items"], paths)}
    whole = {p[0] for p in paths if len(p) == 1}
    properties: dict[str, Any] = {}
    for name in dict.fromkeys(p[0] for p in paths):
        prop = node["properties"][name]
        if name in whole:
            properties[name] = prop
        else:
            properties[name] = _restrict(prop, [p[1:] for p in paths if p[0] == name])
    out = {k: v for k, v in node.items() if k not in ("properties", "required")}
    return out | {"properties": properties, "additionalProperties": False}


def _is_object(node: Any) -> bool:
    return isinstance(node, dict) and (
        node.get("type") in ("object", "array") or "properties" in node or "anyOf" in node
    )


def _narrow(prop: dict[str, Any], allowed: list[str]) -> dict[str, Any]:
    """An enum property narrowed to the values a `where` condition admits."""
    if "enum" in prop:
        return prop | {"enum": [v for v in prop["enum"] if str(v) in allowed]}
    return prop


def view_payload_schema(grant: Grant) -> dict[str, Any]:
    """The JSON Schema of a view's data: the contract schema cut to the grant's fields."""
    full = inline(data_schema(grant.event_type))
    paths = [f.split(".") for f in (*grant.fields, *grant.encrypted)]
    schema = _restrict(full, paths)
    for name, allowed in grant.where:
        if name in schema["properties"]:
            schema["properties"][name] = _narrow(schema["properties"][name], list(allowed))
    schema["title"] = f"{short_type(grant.event_type)} for {grant.audience}"
    schema["description"] = (
        f"What {grant.audience} receives of {short_type(grant.event_type)}: only the granted "
        "fields, each optional (absent when the event has no value)."
    )
    return schema


def view_headers_schema(
    audience: str, event_type: str, producers: list[str], source: str | None = None
) -> dict[str, Any]:
    """The `ce_*` headers of a view record for one audience and type."""
    text = {"type": "string"}
    props: dict[str, Any] = {
        "ce_specversion": {"const": "1.0"},
        "ce_id": text
        | {
            "format": "uuid",
            "description": "View id: UUIDv5 of (audience, event id); differs per audience, so "
            "two audiences cannot join their views on it.",
        },
        "ce_source": {"const": source}
        if source
        else text | {"description": "Source of the original event."},
        "ce_type": {"const": event_type},
        "ce_time": text | {"format": "date-time"},
        "ce_subject": text
        | {
            "pattern": PSEUDONYM_PATTERN,
            "description": f"The audience pseudonym of the child for {audience} (never the hub's).",
        },
        "ce_dataschema": {
            "const": schema_uri(event_type),
            "description": "The contract schema; a view carries a subset of its fields.",
        },
        "ce_partner": {"enum": producers},
        "ce_pseudonymkid": text
        | {"description": "Id of the audience key that made `ce_subject` (`audience-<key>.v<n>`)."},
        "ce_audience": {"const": audience},
        "ce_policyversion": text
        | {"description": "Version of the sharing policy in force when the view was made."},
        "content-type": {"const": "application/json"},
    }
    return {"type": "object", "required": sorted(props), "properties": props}


def _example(policy: Policy, grant: Grant | None, audience: str, event_type: str) -> dict[str, Any]:
    """A view record of the contract example, as `encode_view` writes it."""
    event = example_event(event_type)
    data = event.model_dump(mode="json", exclude_none=True)["data"]
    if grant is None:
        source, partner, payload = PROJECTOR_SOURCE, Partner.HUB, data
    else:
        for name, allowed in grant.where:
            data[name] = data[name] if str(data.get(name)) in allowed else allowed[0]
        if isinstance(data.get("adressaten"), list) and audience not in data["adressaten"]:
            data["adressaten"] = [*data["adressaten"], audience]
        source, partner, payload = event.source, event.partner, project_data(grant, data)
    key_audience = policy.key_audience(audience)
    view = ViewEvent(
        id=view_id(audience, event.id, "" if grant else "gewist"),
        source=source,
        type=event_type,
        time=event.time,
        subject=hashlib.sha256(f"voorbeeld:{audience}:{event_type}".encode()).hexdigest(),
        dataschema=schema_uri(event_type),
        partner=partner,
        pseudonymkid=f"{audience_key_name(key_audience)}.v1",
        audience=audience,
        policyversion=policy.version,
        data=payload,
    )
    _, _, headers = encode_view(view)
    return {
        "name": "voorbeeld",
        "headers": {name: value.decode() for name, value in headers},
        "payload": payload,
    }


def _key_binding(description: str) -> dict[str, Any]:
    return {
        "kafka": {
            "key": {"type": "string", "pattern": PSEUDONYM_PATTERN, "description": description},
            "bindingVersion": KAFKA_BINDING,
        }
    }


def _grant_message(policy: Policy, grant: Grant) -> dict[str, Any]:
    model = payload_model(grant.event_type)
    where = "; ".join(f"only when {n} is one of {', '.join(v)}" for n, v in grant.where)
    encrypted = (
        f" Encrypted free text: {', '.join(grant.encrypted)} (under the child's data key)."
        if grant.encrypted
        else ""
    )
    return {
        "name": f"{grant.audience}:{grant.event_type}",
        "title": f"{short_type(grant.event_type)} → {grant.audience}",
        "summary": " ".join((model.__doc__ or "").split()),
        "description": (
            f"Purpose: {grant.purpose}. Legal basis: {grant.legal_basis}. "
            f"Retention: {grant.retention_days} days. Fields: "
            f"{', '.join((*grant.fields, *grant.encrypted))}."
            + encrypted
            + (f" Shared {where}." if where else "")
            + (
                f" Shared only while the parents' consent ({grant.toestemming.value}) is in force."
                if grant.toestemming
                else ""
            )
        ),
        "contentType": "application/json",
        "headers": view_headers_schema(
            grant.audience,
            grant.event_type,
            sorted(p.value for p in model.producers),
        ),
        "payload": view_payload_schema(grant),
        **({"tags": tags} if (tags := sensitivity_tags(model)) else {}),
        "bindings": _key_binding(f"The audience pseudonym of the child for {grant.audience}."),
        "examples": [_example(policy, grant, grant.audience, grant.event_type)],
    }


def _erasure_message(policy: Policy, audience: str) -> dict[str, Any]:
    payload = inline(data_schema(ERASURE_TYPE))
    payload["title"] = f"casus.gewist.v1 notice for {audience}"
    return {
        "name": f"{audience}:{ERASURE_TYPE}:wisbericht",
        "title": f"wisbericht → {audience}",
        "summary": "The child was erased: delete what you received about it.",
        "description": (
            f"Sent by the projector to {audience} when it received something about a child that "
            f"is erased. Purpose: {ERASURE_PURPOSE}. Legal basis: {ERASURE_BASIS}."
        ),
        "contentType": "application/json",
        "headers": view_headers_schema(audience, ERASURE_TYPE, ["hub"], source=PROJECTOR_SOURCE),
        "payload": payload,
        "bindings": _key_binding(f"The audience pseudonym of the child for {audience}."),
        "examples": [_example(policy, None, audience, ERASURE_TYPE)],
    }


def view_messages(policy: Policy) -> dict[str, dict[str, dict[str, Any]]]:
    """Per audience: component id -> message, one per granted type, plus the erasure notice."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for audience in policy.audiences():
        messages = {
            message_id(audience, event_type): _grant_message(policy, grant)
            for event_type, grant in sorted(policy.grants[audience].items())
        }
        messages[erasure_id(audience)] = _erasure_message(policy, audience)
        result[audience] = messages
    return result


def _model_message(model: type[BaseModel], name: str, summary: str, key: str) -> dict[str, Any]:
    payload = inline(model.model_json_schema(mode="serialization"))
    return {
        "name": name,
        "title": name,
        "summary": summary,
        "contentType": "application/json",
        "payload": payload,
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": key},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _channel_id(name: str) -> str:
    return name.replace(".", "_")


def add_views(document: dict[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    """`document` (the export's AsyncAPI dict) with the view, indicator and audit messages."""
    return _add(copy.deepcopy(document), policy if policy is not None else _default_policy())


@functools.cache
def _default_policy() -> Policy:
    return load_policy()


def _add(document: dict[str, Any], policy: Policy) -> dict[str, Any]:
    channels = document["channels"]
    components = document.setdefault("components", {}).setdefault("messages", {})
    operations = document.setdefault("operations", {})
    for audience, messages in view_messages(policy).items():
        cid = _channel_id(view_topic(audience))
        if cid not in channels:  # a school board's view: the policy names it, not the registry
            spec = view_spec(audience)
            channels[cid] = topic_channel(spec)
            for action, who in (("send", spec.writers), ("receive", spec.readers)):
                operations[f"{action}_{cid}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{cid}"},
                    "summary": f"{', '.join(who)} {'writes' if action == 'send' else 'reads'}.",
                }
        channel = channels[cid]
        channel["description"] += (
            f" Generated from the sharing policy {policy.version} "
            f"(sha256 {policy.sha256[:12]}…); another policy changes what travels here."
        )
        channel["messages"] = {mid: {"$ref": f"#/components/messages/{mid}"} for mid in messages}
        components.update(messages)
    extra = {
        INDICATORS: (
            "indicator_cell",
            _model_message(
                Cell,
                "hub.indicators.cell",
                "One published figure per indicator, school and month; `aantal` is null when "
                "the cell is suppressed.",
                "`<indicator>|<brin>|<periode>` (compacted: the newest figure per cell)",
            ),
        ),
        AUDIT: (
            "audit_record",
            _model_message(
                AuditRecord,
                "hub.audit.v1",
                "One disclosure: which view of which event reached which audience, on which "
                "basis, under which policy version and hash.",
                "The audience pseudonym of the child.",
            ),
        ),
    }
    for topic_name, (mid, message) in extra.items():
        cid = _channel_id(topic_name)
        channels[cid]["messages"] = {mid: {"$ref": f"#/components/messages/{mid}"}}
        components[mid] = message
        registered = topic(topic_name)
        for action, who in (("send", registered.writers), ("receive", registered.readers)):
            operations[f"{action}_{cid}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{cid}"},
                "summary": f"{', '.join(who)} {'writes' if action == 'send' else 'reads'}.",
            }
    return document
