"""The sharing policy: per audience, which event types and fields, why, on which basis, how long.

The policy is a YAML file a privacy officer reads and signs. `load_policy` validates it against
the contract registry (event types, field names, encrypted fields) and refuses anything unknown
with one line per problem; the SHA-256 of the file's bytes names the exact signed version.
"""

from __future__ import annotations

import enum
import hashlib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hub.events.envelope import Payload
from hub.events.errors import UnknownEventType
from hub.events.fields import EncryptedText
from hub.events.privacy import Doel
from hub.events.registry import event_types, payload_model
from hub.events.sensitivity import RECEIVERS, Sensitivity, may_receive
from hub.events.topics import AUDIENCES, INDICATORS, view_topic
from hub.privacy.keyring import KeyRingError, audience_key_name

#: Event types are written in full or without this prefix in the YAML.
TYPE_PREFIX = "nl.onderwijsjeugd."

#: The shipped default policy.
DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")

#: Requests of parents are handled by the hub itself and are never shown to an audience.
NEVER_SHARED_PREFIX = "nl.onderwijsjeugd.privacy."

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]


class PolicyError(ValueError):
    """A policy file that must not be used; `problems` lists `where: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Closed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Basis(_Closed):
    """Purpose, legal basis and retention; an event rule may override its audience's."""

    purpose: Text | None = None
    legal_basis: Text | None = None
    retention_days: int | None = Field(default=None, ge=1, le=5 * 366)
    toestemming: Doel | None = Field(
        default=None,
        description="The legal basis is the parents' consent for this purpose: shared only "
        "while such a consent is in force for the audience.",
    )


class EventRule(Basis):
    """One event type an audience receives: which plain fields, which encrypted fields, when."""

    fields: tuple[str, ...] = ()
    encrypted: tuple[str, ...] = ()
    where: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Only when data[field] is one of these values."
    )


class AudienceRule(Basis):
    """What one audience receives, and the key its pseudonyms are made with."""

    description: Text | None = None
    key: str | None = Field(default=None, description="Audience key name; default the audience.")
    events: dict[str, EventRule] = Field(default_factory=dict)


class PolicyDoc(_Closed):
    """The YAML document as written."""

    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    title: Text
    owner: Text | None = None
    audiences: dict[str, AudienceRule]


class Grant(_Closed):
    """The resolved rule for one (audience, event type): fields, basis, retention."""

    audience: str
    event_type: str
    fields: tuple[str, ...]
    encrypted: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...]
    purpose: str
    legal_basis: str
    retention_days: int
    toestemming: Doel | None = None

    def admits(self, data: Mapping[str, Any]) -> bool:
        """True when the event's data meets every `where` condition."""
        return all(str(data.get(name)) in allowed for name, allowed in self.where)


class Policy(_Closed):
    """A validated policy: its version, its hash and the grants per audience and type."""

    version: str
    sha256: str
    title: str
    owner: str | None
    keys: dict[str, str]
    grants: dict[str, dict[str, Grant]]

    def audiences(self) -> tuple[str, ...]:
        """The audiences of the policy, in registry order."""
        return tuple(a for a in (x.value for x in AUDIENCES) if a in self.grants)

    def grant(self, audience: str, event_type: str) -> Grant | None:
        """The grant of `event_type` to `audience`, or None when it is not shared."""
        return self.grants.get(audience, {}).get(event_type)

    def key_audience(self, audience: str) -> str:
        """The key-ring audience whose key makes this audience's pseudonyms."""
        return self.keys[audience]


def expand_type(name: str) -> str:
    """`school.verzuim.geregistreerd.v1` -> the full registered type name."""
    return name if name.startswith(TYPE_PREFIX) else TYPE_PREFIX + name


def short_type(event_type: str) -> str:
    """The type name without the common prefix, for tables."""
    return event_type.removeprefix(TYPE_PREFIX)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (through Optional, tuple, list), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    if origin is typing.Annotated:
        return _model_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, tuple, list, frozenset, set):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _field_problems(model: type[BaseModel], path: str, where: str) -> list[str]:
    """Problems with the dotted field `path` of `model` (plain fields, nested parts)."""
    head, _, rest = path.partition(".")
    info = model.model_fields.get(head)
    if info is None:
        known = ", ".join(model.model_fields)
        return [f"{where}: unknown field {head!r} (fields: {known})"]
    if not rest:
        return []
    inner = _model_of(info.annotation)
    if inner is None:
        return [f"{where}: field {head!r} has no parts, so {path!r} names nothing"]
    return _field_problems(inner, rest, where)


def _enum_values(model: type[BaseModel], path: str) -> set[str] | None:
    """The allowed values of an enum field (dotted path), or None when it is no enum."""
    head, _, rest = path.partition(".")
    annotation = model.model_fields[head].annotation
    if rest:
        inner = _model_of(annotation)
        return None if inner is None else _enum_values(inner, rest)
    candidates = [annotation, *typing.get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return {str(member.value) for member in candidate}
    return None


def _is_encrypted(model: type[BaseModel], name: str) -> bool:
    return _model_of(model.model_fields[name].annotation) is EncryptedText


def _receivers(category: Sensitivity) -> str:
    return ", ".join(sorted(p.value for p in RECEIVERS[category]))


def _sensitivity_problems(
    model: type[Payload], audience: str, event: EventRule, here: str
) -> list[str]:
    """A special category (marked on the contract) granted to an audience that may not have it."""
    problems = [
        f"{here}: {category.value} is a special category on this contract; only "
        f"{_receivers(category)} may receive it"
        for category in sorted(model.sensitivity)
        if not may_receive(category, audience)
    ]
    for mark in model.sensitive_values:
        allowed = event.where.get(mark.field)
        if may_receive(mark.category, audience) or (allowed and mark.value not in allowed):
            continue
        problems.append(
            f"{here}: with {mark.field} = {mark.value} this type is {mark.category.value} data, "
            f"which only {_receivers(mark.category)} may receive; add a `where` on {mark.field} "
            f"without {mark.value}"
        )
    return problems


def _consent_problems(basis: str | None, consent: Doel | None, here: str) -> list[str]:
    """The legal basis and `toestemming` must agree, so that consent is checked, not only named."""
    named = basis is not None and "toestemming" in basis.lower()
    if named and consent is None:
        purposes = ", ".join(d.value for d in Doel)
        return [
            f"{here}: the legal basis is the parents' consent; name its purpose with "
            f"`toestemming: <doel>` ({purposes}) so that sharing stops without it"
        ]
    if consent is not None and not named:
        return [f"{here}: `toestemming` is set, so the legal basis must say consent (toestemming)"]
    return []


def _resolve(doc: PolicyDoc, sha256: str) -> Policy:
    problems: list[str] = []
    known_audiences = [a.value for a in AUDIENCES]
    keys: dict[str, str] = {}
    grants: dict[str, dict[str, Grant]] = {}
    for audience, rule in doc.audiences.items():
        at = f"audiences.{audience}"
        if audience not in known_audiences:
            problems.append(f"{at}: unknown audience (known: {', '.join(known_audiences)})")
            continue
        keys[audience] = rule.key or audience
        try:
            audience_key_name(keys[audience])
        except KeyRingError as exc:
            problems.append(f"{at}.key: {exc}")
        grants[audience] = {}
        for written, event in rule.events.items():
            event_type = expand_type(written)
            here = f"{at}.events.{written}"
            try:
                model = payload_model(event_type)
            except UnknownEventType:
                problems.append(f"{here}: unknown event type (see contracts/CATALOGUE.md)")
                continue
            if event_type.startswith(NEVER_SHARED_PREFIX):
                problems.append(f"{here}: requests of parents are never shared with an audience")
            problems += _sensitivity_problems(model, audience, event, here)
            for name in event.fields:
                found = _field_problems(model, name, f"{here}.fields")
                problems += found
                if not found and "." not in name and _is_encrypted(model, name):
                    problems.append(
                        f"{here}.fields: {name!r} is encrypted free text; list it under "
                        "`encrypted` so the signer sees it"
                    )
            for name in event.encrypted:
                if name not in model.model_fields:
                    problems.append(f"{here}.encrypted: unknown field {name!r}")
                elif not _is_encrypted(model, name):
                    problems.append(f"{here}.encrypted: {name!r} is not an encrypted field")
            for name, values in event.where.items():
                found = _field_problems(model, name, f"{here}.where")
                problems += found
                allowed = None if found else _enum_values(model, name)
                unknown = [v for v in values if allowed is not None and v not in allowed]
                if unknown:
                    problems.append(
                        f"{here}.where.{name}: unknown value(s) {', '.join(map(repr, unknown))} "
                        f"(values: {', '.join(sorted(allowed or ()))})"
                    )
            if not event.fields and not event.encrypted:
                problems.append(f"{here}: lists no fields (share the fact with `fields: [...]`)")
            duplicated = {f for f in event.fields if event.fields.count(f) > 1}
            if duplicated:
                problems.append(f"{here}.fields: listed twice: {', '.join(sorted(duplicated))}")
            purpose = event.purpose or rule.purpose
            basis = event.legal_basis or rule.legal_basis
            retention = event.retention_days or rule.retention_days
            if purpose is None:
                problems.append(f"{here}: no purpose (set `purpose` on the audience or event)")
            if basis is None:
                problems.append(
                    f"{here}: no legal basis (set `legal_basis` on the audience or event)"
                )
            if retention is None:
                problems.append(f"{here}: no retention (set `retention_days`)")
            consent = event.toestemming or rule.toestemming
            problems += _consent_problems(basis, consent, here)
            if purpose is None or basis is None or retention is None:
                continue
            grants[audience][event_type] = Grant(
                audience=audience,
                event_type=event_type,
                fields=event.fields,
                encrypted=event.encrypted,
                where=tuple(sorted(event.where.items())),
                purpose=purpose,
                legal_basis=basis,
                retention_days=retention,
                toestemming=consent,
            )
    if problems:
        raise PolicyError(problems)
    return Policy(
        version=doc.version,
        sha256=sha256,
        title=doc.title,
        owner=doc.owner,
        keys=keys,
        grants=grants,
    )


def _describe(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "policy"
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key (not part of the policy format)")
        elif error["type"] == "missing":
            lines.append(f"{where}: is required but missing")
        else:
            lines.append(f"{where}: {error['msg']}")
    return lines


def parse_policy(text: bytes) -> Policy:
    """Validate the bytes of a policy file; PolicyError with every problem found."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "policy"
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise PolicyError([f"{where}: YAML syntax error: {problem}"]) from None
    if not isinstance(raw, dict):
        raise PolicyError(["policy: must be a YAML mapping with version, title and audiences"])
    try:
        doc = PolicyDoc.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(_describe(exc)) from None
    return _resolve(doc, hashlib.sha256(text).hexdigest())


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file (default: the shipped policy)."""
    path = DEFAULT_POLICY_PATH if path is None else path
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise PolicyError(
            [f"{path}: cannot be read ({exc.strerror or type(exc).__name__})"]
        ) from None
    return parse_policy(text)


#: Audiences that read the figures besides their own view.
INDICATOR_READERS = frozenset({"gemeente", "swv"})


def readable_topics(policy: Policy) -> dict[str, set[str]]:
    """Per audience, the logical topics it may read (for the ACLs): its own view topic, and
    for the gemeente and the SWV the indicators topic. Nothing else: no contract, casus,
    audit or state topic is ever readable by an audience."""
    return {
        audience: {view_topic(audience)}
        | ({INDICATORS} if audience in INDICATOR_READERS else set())
        for audience in policy.audiences()
    }


def view_catalogue(policy: Policy) -> dict[str, dict[str, dict[str, Any]]]:
    """Per audience and event type, what its view messages carry (for the AsyncAPI document)."""
    return {
        audience: {
            event_type: {
                "fields": list(grant.fields),
                "encrypted": list(grant.encrypted),
                "where": {name: list(values) for name, values in grant.where},
                "purpose": grant.purpose,
                "legal_basis": grant.legal_basis,
                "retention_days": grant.retention_days,
                "toestemming": grant.toestemming.value if grant.toestemming else None,
            }
            for event_type, grant in sorted(policy.grants[audience].items())
        }
        for audience in policy.audiences()
    }


def all_event_types() -> tuple[str, ...]:
    """Every registered event type (the columns a matrix can have)."""
    return event_types()
