"""Backward compatibility of JSON Schemas: does the new schema accept all data the old one did?

Within a major version a contract may only add optional fields. The checker walks the
old and new schema side by side and reports every place where data valid under the old
schema could be rejected by the new one (removed fields, new required fields, narrowed
enums, types or bounds, changed patterns). It is conservative: what it cannot prove
compatible it reports.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXACT = ("pattern", "format", "multipleOf", "uniqueItems")
_ANNOTATIONS = {"title", "description", "default", "examples", "$schema", "$id", "$defs"}
_HANDLED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    *_LOWER_BOUNDS,
    *_UPPER_BOUNDS,
    *_EXACT,
}


class _Resolver:
    def __init__(self, root: Schema) -> None:
        self.defs: dict[str, Schema] = root.get("$defs", {})

    def __call__(self, schema: Schema) -> Schema:
        seen = 0
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/$defs/") or seen > 32:
                raise ValueError(f"unsupported $ref {ref}")
            base = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.defs[ref.rsplit("/", 1)[1]], **base}
            seen += 1
        return schema


def _types(schema: Schema) -> set[str] | None:
    if "type" in schema:
        kinds = schema["type"]
        found = set(kinds if isinstance(kinds, list) else [kinds])
    elif "const" in schema:
        found = {_json_type(schema["const"])}
    elif "enum" in schema:
        found = {_json_type(v) for v in schema["enum"]}
    else:
        return None
    if "number" in found:
        found.add("integer")
    return found


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


class _Checker:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old = _Resolver(old_root)
        self.new = _Resolver(new_root)
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '(root)'}: {message}")

    def accepts(self, old: Schema, new: Schema) -> bool:
        """True when `new` accepts all that `old` accepts (no problems recorded)."""
        probe = _Checker.__new__(_Checker)
        probe.old, probe.new, probe.problems = self.old, self.new, []
        probe.compare(old, new, "")
        return not probe.problems

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        old, new = self.old(old), self.new(new)
        if not new:
            return
        old_branches = old.get("anyOf") or old.get("oneOf")
        new_branches = new.get("anyOf") or new.get("oneOf")
        if old_branches:
            rest = {k: v for k, v in old.items() if k not in ("anyOf", "oneOf")}
            for branch in old_branches:
                self.compare({**rest, **branch}, new, path)
            return
        if new_branches:
            rest = {k: v for k, v in new.items() if k not in ("anyOf", "oneOf")}
            candidates = [{**rest, **b} for b in new_branches]
            if any(self.accepts(old, c) for c in candidates):
                return
            old_types = _types(old) or set()
            near = [c for c in candidates if (_types(self.new(c)) or set()) & old_types]
            if len(near) == 1:
                self.compare(old, near[0], path)  # report the precise narrowing
            else:
                kinds = sorted(old_types or {"any"})
                self.fail(path, f"no alternative of the new schema accepts {'/'.join(kinds)}")
            return
        for key in ("allOf",):
            if key in old or key in new:
                if old.get(key) != new.get(key):
                    self.fail(path, f"{key} changed")
                return
        self._compare_plain(old, new, path)

    def _compare_plain(self, old: Schema, new: Schema, path: str) -> None:
        old_types, new_types = _types(old), _types(new)
        if new_types is not None:
            if old_types is None:
                self.fail(path, f"type narrowed from any to {'/'.join(sorted(new_types))}")
                return
            lost = old_types - new_types
            if lost:
                self.fail(path, f"type no longer accepts {'/'.join(sorted(lost))}")
        old_values, new_values = _values(old), _values(new)
        if new_values is not None:
            if old_values is None:
                self.fail(path, "values narrowed to an enum or const")
            else:
                lost_values = [v for v in old_values if v not in new_values]
                if lost_values:
                    self.fail(path, f"enum no longer accepts {', '.join(map(str, lost_values))}")
        for key in _LOWER_BOUNDS:
            if key in new and (key not in old or new[key] > old[key]):
                self.fail(path, f"{key} raised from {old.get(key, 'none')} to {new[key]}")
        for key in _UPPER_BOUNDS:
            if key in new and (key not in old or new[key] < old[key]):
                self.fail(path, f"{key} lowered from {old.get(key, 'none')} to {new[key]}")
        for key in _EXACT:
            if key in new and new.get(key) != old.get(key):
                self.fail(path, f"{key} changed from {old.get(key, 'none')} to {new[key]}")
        # `x-` keywords are annotations (a validator ignores them): `x-sensitivity` and the like.
        unknown = {k for k in set(new) - _HANDLED - _ANNOTATIONS if not k.startswith("x-")}
        for key in sorted(unknown):
            if new[key] != old.get(key):
                self.fail(path, f"keyword {key} added or changed (cannot prove compatible)")
        self._compare_object(old, new, path)
        self._compare_array(old, new, path)

    def _compare_object(self, old: Schema, new: Schema, path: str) -> None:
        old_props: dict[str, Schema] = old.get("properties", {})
        new_props: dict[str, Schema] = new.get("properties", {})
        old_required = set(old.get("required", []))
        for name in sorted(set(new.get("required", [])) - old_required):
            self.fail(_join(path, name), "is newly required")
        closed = new.get("additionalProperties") is False
        for name, old_prop in old_props.items():
            if name in new_props:
                self.compare(old_prop, new_props[name], _join(path, name))
            elif closed:
                self.fail(_join(path, name), "was removed")
        if (
            closed
            and old.get("additionalProperties") is not False
            and "object" in (_types(old) or set())
        ):
            self.fail(path, "additional properties are no longer allowed")
        extra = new.get("additionalProperties")
        if isinstance(extra, dict) and isinstance(old.get("additionalProperties"), dict):
            self.compare(old["additionalProperties"], extra, _join(path, "*"))

    def _compare_array(self, old: Schema, new: Schema, path: str) -> None:
        if isinstance(new.get("items"), dict):
            self.compare(old.get("items", {}), new["items"], path + "[]")
        old_prefix, new_prefix = old.get("prefixItems", []), new.get("prefixItems", [])
        if old_prefix != new_prefix:
            for i, new_item in enumerate(new_prefix):
                old_item = old_prefix[i] if i < len(old_prefix) else old.get("items", {})
                self.compare(old_item, new_item, f"{path}[{i}]")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def incompatibilities(old: Schema, new: Schema) -> list[str]:
    """Every way `new` could reject data that `old` accepts; empty when compatible."""
    checker = _Checker(old, new)
    checker.compare(old, new, "")
    return checker.problems
