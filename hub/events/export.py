"""Generated contract artefacts: JSON Schemas, examples, the AsyncAPI document, the catalogue."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hub.events.envelope import SCHEMA_BASE, Event, Payload, new_event, schema_uri
from hub.events.registry import event_types, payload_model
from hub.events.sensitivity import RECEIVERS, describe
from hub.events.topics import DLQ, Topic, registry, topics_carrying
from hub.events.vocab import Partner
from hub.settings import PROJECT_ROOT

CONTRACTS_DIR = PROJECT_ROOT / "contracts"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: AsyncAPI 3's name for the schema language of every payload in the document.
SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
PSEUDONYM_PATTERN = "^[0-9a-f]{64}$"
EXAMPLE_TIME = dt.datetime(2026, 11, 16, 8, 30, tzinfo=dt.UTC)

#: The release of the contracts/ documents: the minor grows with every compatible change.
CONTRACTS_VERSION = "1.1.0"

#: Directories fully owned by the generator (stale files there are drift).
GENERATED_DIRS = ("schemas", "examples")
#: The dead-letter topic's record schema, next to the envelope's.
DEADLETTER_SCHEMA_FILE = "deadletter.schema.json"
GENERATED_FILES = ("asyncapi.yaml", "CATALOGUE.md", "envelope.schema.json", DEADLETTER_SCHEMA_FILE)

#: Post-processing of the AsyncAPI document (as a dict) before it is written: the views add
#: what the sharing policy lets each audience see (hub.events must not import hub.views).
AsyncApiHook = Callable[[dict[str, Any]], dict[str, Any]]


def dumps_json(obj: Any) -> bytes:
    """Deterministic pretty JSON: sorted keys, two-space indent, trailing newline."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def data_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the `data` of `event_type`."""
    return copy.deepcopy(_data_schema(event_type))


@functools.cache
def _data_schema(event_type: str) -> dict[str, Any]:
    model = payload_model(event_type)
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = DRAFT
    schema["$id"] = schema_uri(event_type)
    schema["title"] = event_type
    schema["description"] = _doc(model)
    marks = _marks(model)
    if marks:
        schema[SENSITIVITY_KEYWORD] = marks
    return schema


#: The JSON Schema annotation (and AsyncAPI extension) naming a type's special categories.
SENSITIVITY_KEYWORD = "x-sensitivity"


def _marks(model: type[Payload]) -> list[dict[str, str]]:
    """The special categories of a type, as data: always, or when a field has a value."""
    marks = [{"category": c.value} for c in sorted(model.sensitivity)]
    marks += [
        {"category": m.category.value, "field": m.field, "value": m.value}
        for m in model.sensitive_values
    ]
    return marks


def sensitivity_tags(model: type[Payload]) -> list[dict[str, str]]:
    """AsyncAPI tags for the special categories a type carries, with who may receive them."""
    tags = []
    for category in sorted({*model.sensitivity, *(m.category for m in model.sensitive_values)}):
        when = [f"{m.field} = {m.value}" for m in model.sensitive_values if m.category is category]
        receivers = ", ".join(sorted(p.value for p in RECEIVERS[category]))
        tags.append(
            {
                "name": category.value,
                "description": (
                    "Special category of personal data (AVG art. 9)"
                    + (f" when {' or '.join(when)}" if category not in model.sensitivity else "")
                    + f"; only {receivers} may receive it."
                ),
            }
        )
    return tags


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema of the structured CloudEvent envelope; `data` per `dataschema`."""
    schema = Event[Payload].model_json_schema(mode="validation")
    schema["$defs"].pop("Payload")
    schema["properties"]["data"] = {
        "type": "object",
        "description": "The payload; its schema is the one named by `dataschema`.",
    }
    # CloudEvents requires `specversion`; the model defaults it, a partner must send it.
    schema["required"] = sorted({*schema["required"], "specversion"})
    schema["$schema"] = DRAFT
    schema["$id"] = f"{SCHEMA_BASE}envelope.json"
    schema["title"] = "CloudEvents 1.0 envelope of the onderwijs–jeugd hub (structured mode)"
    return schema


def _doc(model: type[Payload]) -> str:
    return " ".join((model.__doc__ or "").split())


def _producer(model: type[Payload]) -> Partner:
    order = list(Partner)
    return min(model.producers, key=order.index)


def example_event(event_type: str, record: str = "voorbeeld-1") -> Event[Any]:
    """The example of `event_type` in a valid envelope, from its first producer."""
    model = payload_model(event_type)
    partner = _producer(model)
    organisation, system = {
        Partner.SCHOOL: ("12AB", "las"),
        Partner.HUB: ("regio-utrecht", "casus"),
    }.get(partner, ("gemeente-utrecht", partner.value))
    return new_event(
        model.model_validate(model.example),
        partner=partner,
        organisation=organisation,
        system=system,
        source_record_id=record,
        subject=hashlib.sha256(f"voorbeeld:{event_type}".encode()).hexdigest(),
        pseudonymkid="hub-2026-1",
        time=EXAMPLE_TIME,
    )


def _consumers(event_type: str) -> list[str]:
    readers = sorted(
        {r for t in topics_carrying(event_type) if not t.policy_filtered for r in t.readers}
    )
    return [*readers, "views (by sharing policy)"]


def catalogue() -> bytes:
    """CATALOGUE.md: one row per event type."""
    lines = [
        "# Contract catalogue (generated by `hub contracts export`; do not edit)",
        "",
        "Every event is a CloudEvents 1.0 event in Kafka binary mode: `ce_*` headers, the `data` "
        "as JSON value, key = `subject` (the child's pseudonym). Schemas: `schemas/<type>.json`; "
        "examples: `examples/<type>.json`; topics: `asyncapi.yaml`.",
        "",
        "Special category: the AVG art. 9 data a type carries, always or for the value named; "
        "the sharing policy lets only the receivers of that category have it (`x-sensitivity` "
        "in the schema, a tag in `asyncapi.yaml`).",
        "",
        "| type | producer | consumers | key fields | special category | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for event_type in event_types():
        model = payload_model(event_type)
        required = model.model_json_schema().get("required", [])
        producers = ", ".join(sorted(p.value for p in model.producers))
        lines.append(
            f"| `{event_type}` | {producers} | {', '.join(_consumers(event_type))} | "
            f"{', '.join(f'`{f}`' for f in required)} | "
            f"{describe(model.sensitivity, model.sensitive_values)} | {_doc(model)} |"
        )
    return ("\n".join(lines) + "\n").encode()


def _channel_id(name: str) -> str:
    return name.replace(".", "_")


def _headers_schema(event_type: str) -> dict[str, Any]:
    text = {"type": "string"}
    props: dict[str, Any] = {
        "ce_specversion": {"const": "1.0"},
        "ce_id": text | {"description": "Deterministic UUIDv5 of (partner, record, type)."},
        "ce_source": text | {"description": "/partners/<partner>/<organisation>/<system>"},
        "ce_type": {"const": event_type},
        "ce_time": text | {"format": "date-time"},
        "ce_subject": text | {"pattern": PSEUDONYM_PATTERN},
        "ce_dataschema": {"const": schema_uri(event_type)},
        "ce_partner": {
            "enum": sorted(p.value for p in payload_model(event_type).producers),
        },
        "ce_pseudonymkid": text,
        "content-type": {"const": "application/json"},
    }
    return {"type": "object", "required": sorted(props), "properties": props}


def topic_channel(topic: Topic) -> dict[str, Any]:
    """The AsyncAPI channel of one registry topic (its messages where the registry knows them)."""
    config: dict[str, Any] = {"cleanup.policy": [topic.cleanup.value]}
    if topic.cleanup.value == "delete":
        config["retention.ms"] = topic.retention_ms or -1
    channel: dict[str, Any] = {
        "address": "{prefix}" + topic.name,
        "title": topic.name,
        "description": (
            f"{topic.description} Key: {topic.key}. Writers: {', '.join(topic.writers)}; "
            f"readers: {', '.join(topic.readers)}."
            + (" Only what the sharing policy allows." if topic.policy_filtered else "")
        ),
        "parameters": {"prefix": {"description": "HUB_TOPIC_PREFIX; empty by default."}},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": config,
                "bindingVersion": "0.5.0",
            }
        },
    }
    # What a view topic carries depends on the sharing policy: the hook documents it.
    if topic.carries and not topic.policy_filtered:
        channel["messages"] = {
            _channel_id(t): {"$ref": f"#/components/messages/{_channel_id(t)}"}
            for t in topic.carries
        }
    return channel


def asyncapi(hook: AsyncApiHook | None = None) -> bytes:
    """The AsyncAPI 3.0 document of every registry topic and every event type, then `hook`."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in registry().values():
        cid = _channel_id(topic.name)
        channels[cid] = topic_channel(topic)
        if topic.carries:
            for action, who in (("send", topic.writers), ("receive", topic.readers)):
                operations[f"{action}_{cid}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{cid}"},
                    "summary": f"{', '.join(who)} {'writes' if action == 'send' else 'reads'}.",
                }
    messages: dict[str, Any] = {}
    for event_type in event_types():
        model = payload_model(event_type)
        messages[_channel_id(event_type)] = {
            "name": event_type,
            "title": event_type,
            "summary": _doc(model),
            "contentType": "application/json",
            "headers": _headers_schema(event_type),
            "payload": {"$ref": f"./schemas/{event_type}.json"},
            **({"tags": tags} if (tags := sensitivity_tags(model)) else {}),
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "pattern": PSEUDONYM_PATTERN},
                    "bindingVersion": "0.5.0",
                }
            },
            "examples": [
                {
                    "name": "voorbeeld",
                    "headers": {
                        k: v.decode() for k, v in _binary_headers(example_event(event_type))
                    },
                    "payload": example_event(event_type).model_dump(mode="json", exclude_none=True)[
                        "data"
                    ],
                }
            ],
        }
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Onderwijs–jeugd hub contracts",
            # Minor releases are compatible (checked by `hub contracts check`); see contracts.md.
            "version": CONTRACTS_VERSION,
            "description": (
                "Contract events of the hub as CloudEvents 1.0 in Kafka binary content mode. "
                "Generated by `hub contracts export`; do not edit."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "The local development broker (`hub kafka up`).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
    _add_dead_letters(document)
    if hook is not None:
        document = hook(document)
    _name_schema_formats(document)
    text = yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)
    return text.encode()


def _add_dead_letters(document: dict[str, Any]) -> None:
    """The dead-letter topic's message: what a letter holds (never the original record)."""
    # The letter's model lives with the bus; imported late to keep hub.events free of hub.bus.
    from hub.bus.dlq import DLQ_SCHEMA, REASON_HEADER

    mid = _channel_id(DLQ_SCHEMA)
    document["components"]["messages"][mid] = {
        "name": DLQ_SCHEMA,
        "title": DLQ_SCHEMA,
        "summary": "A record that could not be processed: the stage, the reason code, a message "
        "without any value of the record, and a claim check pointing to the original.",
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "required": [REASON_HEADER],
            "properties": {
                REASON_HEADER: {"type": "string", "description": "The reason code."},
                "ce_id": {"type": "string", "description": "The letter's deterministic id."},
                "content-type": {"const": "application/json"},
            },
        },
        "payload": {"$ref": f"./{DEADLETTER_SCHEMA_FILE}"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": "The original's key (BSN-like numbers masked), or the "
                    "body's digest (`batch-…`) for a rejected row of an ingest.",
                },
                "bindingVersion": "0.5.0",
            }
        },
    }
    cid = _channel_id(DLQ)
    document["channels"][cid]["messages"] = {mid: {"$ref": f"#/components/messages/{mid}"}}
    dlq = registry()[DLQ]
    for action, who in (("send", dlq.writers), ("receive", dlq.readers)):
        document["operations"][f"{action}_{cid}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"{', '.join(who)} {'writes' if action == 'send' else 'reads'}.",
        }


def deadletter_schema() -> dict[str, Any]:
    """The JSON Schema of a dead letter (`hub.deadletter.v1`) on the dead-letter topic."""
    from hub.bus.dlq import DLQ_SCHEMA, DeadLetter

    schema = DeadLetter.model_json_schema(mode="serialization")
    schema["$schema"] = DRAFT
    schema["$id"] = f"{SCHEMA_BASE}{DLQ_SCHEMA}.json"
    schema["title"] = f"{DLQ_SCHEMA}: a record the hub could not process (no content of it)"
    return schema


def _name_schema_formats(document: dict[str, Any]) -> None:
    """Every payload as a multi-format schema: JSON Schema 2020-12, not AsyncAPI's own dialect."""
    for message in document["components"]["messages"].values():
        payload = message["payload"]
        if "schemaFormat" not in payload:
            message["payload"] = {"schemaFormat": SCHEMA_FORMAT, "schema": payload}


def _binary_headers(event: Event[Any]) -> list[tuple[str, bytes]]:
    # The header layout of the Kafka binding; imported late to keep hub.events free of hub.bus.
    from hub.bus.cloudevents import encode

    return list(encode(event).headers)


def render(hook: AsyncApiHook | None = None) -> dict[str, bytes]:
    """Every generated file, by path relative to contracts/; `hook` post-processes AsyncAPI."""
    return dict(_render(hook))


@functools.cache
def _render(hook: AsyncApiHook | None) -> dict[str, bytes]:
    # The models do not change within a process; rendering once keeps tests and checks fast.
    files: dict[str, bytes] = {}
    for event_type in event_types():
        files[f"schemas/{event_type}.json"] = dumps_json(data_schema(event_type))
        files[f"examples/{event_type}.json"] = dumps_json(
            example_event(event_type).model_dump(mode="json", exclude_none=True)
        )
    files["envelope.schema.json"] = dumps_json(envelope_schema())
    files[DEADLETTER_SCHEMA_FILE] = dumps_json(deadletter_schema())
    files["asyncapi.yaml"] = asyncapi(hook)
    files["CATALOGUE.md"] = catalogue()
    return files


def drift(root: Path = CONTRACTS_DIR, hook: AsyncApiHook | None = None) -> list[str]:
    """What differs between the committed files under `root` and the code; empty = none."""
    wanted = render(hook)
    problems = []
    for rel, content in sorted(wanted.items()):
        path = root / rel
        if not path.exists():
            problems.append(f"{rel}: missing (run `hub contracts export`)")
        elif path.read_bytes() != content:
            problems.append(f"{rel}: differs from the code (run `hub contracts export`)")
    for directory in GENERATED_DIRS:
        for path in sorted((root / directory).glob("*")):
            rel = path.relative_to(root).as_posix()
            if rel not in wanted:
                problems.append(f"{rel}: no longer generated (remove it or restore its type)")
    return problems


def write(root: Path = CONTRACTS_DIR, hook: AsyncApiHook | None = None) -> list[str]:
    """Write every generated file under `root`, remove stale ones; return the paths changed."""
    wanted = render(hook)
    changed = []
    for rel, content in sorted(wanted.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            changed.append(rel)
    for directory in GENERATED_DIRS:
        for path in sorted((root / directory).glob("*")):
            rel = path.relative_to(root).as_posix()
            if rel not in wanted:
                path.unlink()
                changed.append(rel)
    return changed
