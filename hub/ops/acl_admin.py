"""ACLs and SCRAM credentials through the Kafka admin API (aiokafka has the wire types only)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from hub.ops.acl import Acl, AclDiff, Operation, Pattern, Resource, diff

# Wire codes from org.apache.kafka.common.{resource,acl}.
_RESOURCE = {
    Resource.TOPIC: 2,
    Resource.GROUP: 3,
    Resource.CLUSTER: 4,
    Resource.TRANSACTIONAL_ID: 5,
}
_PATTERN = {Pattern.LITERAL: 3, Pattern.PREFIXED: 4}
_OPERATION = {
    Operation.ALL: 2,
    Operation.READ: 3,
    Operation.WRITE: 4,
    Operation.CREATE: 5,
    Operation.DELETE: 6,
    Operation.ALTER: 7,
    Operation.DESCRIBE: 8,
    Operation.CLUSTER_ACTION: 9,
    Operation.DESCRIBE_CONFIGS: 10,
    Operation.ALTER_CONFIGS: 11,
    Operation.IDEMPOTENT_WRITE: 12,
}
_PERMISSION = {"DENY": 2, "ALLOW": 3}
_ANY = 1  # resource type, pattern type, operation and permission filter "any"
_MATCH = 2  # pattern filter "match"; unused here
_SCRAM_MECHANISM = {"SCRAM-SHA-256": (1, "sha256"), "SCRAM-SHA-512": (2, "sha512")}


class AdminRefused(RuntimeError):
    """The broker refused an admin request; the message is one line."""


def _inverse(table: dict[Any, int]) -> dict[int, Any]:
    return {code: key for key, code in table.items()}


class _Many(Request[CreateAclsRequest_v1]):  # type: ignore[misc]
    """CreateAcls with several creations in one request."""

    API_KEY = 30

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> Any:
        return request_struct_class(self._rows)


class _Delete(Request[DeleteAclsRequest_v1]):  # type: ignore[misc]
    """DeleteAcls with several exact filters in one request."""

    API_KEY = 31

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> Any:
        return request_struct_class(self._rows)


class _Describe(Request[DescribeAclsRequest_v1]):  # type: ignore[misc]
    """DescribeAcls matching every ACL on the cluster."""

    API_KEY = 29

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> Any:
        return request_struct_class(_ANY, None, _ANY, None, None, _ANY, _ANY)


def _row(acl: Acl) -> tuple[Any, ...]:
    return (
        _RESOURCE[acl.resource],
        acl.name,
        _PATTERN[acl.pattern],
        acl.principal,
        acl.host,
        _OPERATION[acl.operation],
        _PERMISSION[acl.permission],
    )


_AUTHORIZATION_CODES = frozenset({29, 30, 31, 53})  # topic, group, cluster, transactional id


def _check(code: int, message: str | None, what: str) -> None:
    if code in _AUTHORIZATION_CODES:
        raise for_code(code)(what)  # the caller's `explain` turns it into one line
    if code != 0:
        name = for_code(code).__name__
        raise AdminRefused(
            f"{what} refused by the broker: {name}" + (f" ({message})" if message else "")
        )


async def describe_acls(admin: AIOKafkaAdminClient) -> set[Acl]:
    """Every ACL the cluster holds that the hub's model can express."""
    response = await admin._send_request(_Describe())  # private: aiokafka has no ACL API
    _check(response.error_code, response.error_message, "DescribeAcls")
    resources, patterns = _inverse(_RESOURCE), _inverse(_PATTERN)
    operations, permissions = _inverse(_OPERATION), _inverse(_PERMISSION)
    found: set[Acl] = set()
    for rtype, rname, ptype, entries in response.resources:
        for who, host, operation, permission in entries:
            if rtype in resources and ptype in patterns and operation in operations:
                found.add(
                    Acl(
                        who,
                        resources[rtype],
                        rname,
                        patterns[ptype],
                        operations[operation],
                        permissions.get(permission, "DENY"),
                        host,
                    )
                )
    return found


async def create_acls(admin: AIOKafkaAdminClient, acls: Iterable[Acl]) -> None:
    """Create `acls` in one request; AdminRefused names the first refusal."""
    rows = [_row(a) for a in sorted(acls)]
    if not rows:
        return
    response = await admin._send_request(_Many(rows))
    for code, message in response.creation_responses:
        _check(code, message, "CreateAcls")


async def delete_acls(admin: AIOKafkaAdminClient, acls: Iterable[Acl]) -> None:
    """Delete exactly `acls` (each filter matches one ACL)."""
    rows = [_row(a) for a in sorted(acls)]
    if not rows:
        return
    response = await admin._send_request(_Delete(rows))
    for code, message, _matching in response.filter_responses:
        _check(code, message, "DeleteAcls")


async def apply_acls(
    admin: AIOKafkaAdminClient,
    desired: Iterable[Acl],
    managed: Container[str],
    *,
    timeout: float = 15.0,
) -> AclDiff:
    """Make the cluster hold `desired` for the `managed` principals (idempotent); the diff.

    Returns once the broker's authorizer shows the change (ACLs travel through the metadata
    log, so a describe right after a create may still miss them).
    """
    change = diff(await describe_acls(admin), desired, managed)
    await create_acls(admin, change.add)
    await delete_acls(admin, change.remove)
    deadline = asyncio.get_running_loop().time() + timeout
    while not change.empty:
        current = await describe_acls(admin)
        if change.add <= current and not change.remove & current:
            break
        if asyncio.get_running_loop().time() > deadline:
            raise AdminRefused(f"the broker did not show the ACL change within {timeout:.0f}s")
        await asyncio.sleep(0.1)
    return change


# -- SCRAM credentials (KIP-554), flexible version 0 --------------------------------------------


class _AlterScramResponse(Response):  # type: ignore[misc]
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScramStruct(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = _AlterScramResponse
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("tags", TaggedFields),
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


_Rows: TypeAlias = list[tuple[Any, ...]]


class _AlterScram(Request[_AlterScramStruct]):  # type: ignore[misc]
    API_KEY = 51

    def __init__(self, deletions: _Rows, upsertions: _Rows) -> None:
        self._deletions = deletions
        self._upsertions = upsertions

    def build(self, request_struct_class: type[_AlterScramStruct]) -> Any:
        return request_struct_class(self._deletions, self._upsertions, {})


@dataclass(frozen=True)
class ScramChange:
    """One user's new SCRAM password (set) or removal (password None)."""

    user: str
    password: str | None = None
    mechanism: str = "SCRAM-SHA-512"
    iterations: int = 8192


def salted_password(password: str, salt: bytes, iterations: int, mechanism: str) -> bytes:
    """SCRAM SaltedPassword (RFC 5802): PBKDF2 with the mechanism's HMAC."""
    _, digest = _SCRAM_MECHANISM[mechanism]
    return hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations)


async def alter_scram(admin: AIOKafkaAdminClient, changes: Iterable[ScramChange]) -> None:
    """Upsert or delete SCRAM credentials in one request (forwarded to the controller)."""
    deletions: _Rows = []
    upsertions: _Rows = []
    for change in changes:
        code, _ = _SCRAM_MECHANISM[change.mechanism]
        if change.password is None:
            deletions.append((change.user, code, {}))
            continue
        salt = secrets.token_bytes(32)
        salted = salted_password(change.password, salt, change.iterations, change.mechanism)
        upsertions.append((change.user, code, change.iterations, salt, salted, {}))
    if not deletions and not upsertions:
        return
    response = await admin._send_request(_AlterScram(deletions, upsertions))
    for user, code, message, _tags in response.results:
        _check(code, message, f"AlterUserScramCredentials for {user}")
