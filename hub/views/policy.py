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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hub.events.envelope import Payload
from hub.events.errors import UnknownEventType
from hub.events.fields import Brin, EncryptedText
from hub.events.privacy import Doel
from hub.events.registry import event_types, payload_model
from hub.events.sensitivity import RECEIVERS, Sensitivity, may_receive
from hub.events.topics import AUDIENCES, audience_partner, board_audience
from hub.events.vocab import Partner
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


class SchoolBestuur(_Closed):
    """A school board of the region: its schools (BRIN), so its view holds only its pupils."""

    naam: Text | None = None
    brin: tuple[Brin, ...] = Field(min_length=1, description="The BRIN of every school it runs.")


class PolicyDoc(_Closed):
    """The YAML document as written."""

    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    title: Text
    owner: Text | None = None
    audiences: dict[str, AudienceRule]
    schoolbesturen: dict[str, SchoolBestuur] = Field(
        default_factory=dict,
        description="Per bestuursnummer the board's schools; each board is an audience "
        "`schoolbestuur:<nummer>` that receives what `audiences.school` grants.",
    )


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
    #: Per school board audience (`schoolbestuur:<id>`), the BRIN of its schools.
    boards: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def audiences(self) -> tuple[str, ...]:
        """The audiences in registry order, the school boards in the school's place."""
        order: list[str] = []
        for kind in AUDIENCES:
            if kind is Partner.SCHOOL:
                order += [b for b in self.boards if b in self.grants]
            elif kind.value in self.grants:
                order.append(kind.value)
        return tuple(order)

    def partner_of(self, audience: str) -> str:
        """The partner an audience stands for (a school board is the `school`): the name that
        casus `adressaten` and a bezwaar's `partners` use."""
        return audience_partner(audience).value

    def enrolled(self, audience: str, brins: Iterable[str]) -> bool:
        """True when a child known at schools `brins` may reach `audience`: always for a fixed
        audience, for a school board only when one of those schools is the board's."""
        schools = self.boards.get(audience)
        return schools is None or any(b in schools for b in brins)

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


def _boards(doc: PolicyDoc, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """The school boards as audiences with their BRIN; a BRIN belongs to one board only."""
    boards: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for bestuur, board in doc.schoolbesturen.items():
        at = f"schoolbesturen.{bestuur}"
        try:
            audience = board_audience(bestuur)
        except ValueError as exc:
            problems.append(f"{at}: {exc}")
            continue
        for brin in board.brin:
            if brin in owner and owner[brin] != bestuur:
                problems.append(f"{at}.brin: {brin} belongs to school board {owner[brin]} too")
            owner[brin] = bestuur
        boards[audience] = tuple(dict.fromkeys(board.brin))
    school = doc.audiences.get(Partner.SCHOOL.value)
    if school is not None and school.key is not None:
        problems.append(
            "audiences.school.key: each school board makes pseudonyms with its own key "
            "(schoolbestuur:<id>); remove `key`"
        )
    if boards and school is None:
        problems.append("schoolbesturen: no `audiences.school` says what the school boards get")
    if school is not None and school.events and not boards:
        problems.append(
            "audiences.school: names what school boards get, but `schoolbesturen` names no board"
        )
    return boards


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
    boards = _boards(doc, problems)
    for audience, rule in doc.audiences.items():
        at = f"audiences.{audience}"
        if audience not in known_audiences:
            problems.append(f"{at}: unknown audience (known: {', '.join(known_audiences)})")
            continue
        if audience == Partner.SCHOOL.value:
            keys.update({board: board for board in boards})
        else:
            keys[audience] = rule.key or audience
        try:
            for key in {keys[k] for k in keys if k == audience or k in boards}:
                audience_key_name(key)
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
    # Every school board receives what `audiences.school` grants, as an audience of its own.
    school = grants.pop(Partner.SCHOOL.value, {})
    for board in boards:
        grants[board] = {t: g.model_copy(update={"audience": board}) for t, g in school.items()}
    return Policy(
        version=doc.version,
        sha256=sha256,
        title=doc.title,
        owner=doc.owner,
        keys=keys,
        grants=grants,
        boards=boards,
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


def key_audiences(policy: Policy) -> tuple[str, ...]:
    """The key-ring audiences the policy's pseudonyms are made with (for `hub keys init`)."""
    return tuple(dict.fromkeys(policy.key_audience(a) for a in policy.audiences()))


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
