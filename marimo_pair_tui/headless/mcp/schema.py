"""The tools' input schemas as the server lists them: what a client needs to call each tool, and no more.

The SDK derives each schema from the tool's signature through pydantic, which adds a title to every
property and to the schema (the argument's own name, capitalised) and spells an optional argument as
`anyOf: [T, null]` with `default: null`. A client reads neither: an argument left out of `required`
is optional already. Dropping them keeps the tool list short, and every tool and argument as clear.
Arguments are still validated by the signature's model, so an explicit null is accepted as before.
"""

from __future__ import annotations

from typing import Any

NULL = {"type": "null"}


def compact_property(schema: dict[str, Any]) -> dict[str, Any]:
    """One argument's schema without its generated title, an optional one as its type alone."""
    compact = {key: value for key, value in schema.items() if key != "title"}
    choices = compact.get("anyOf")
    if compact.get("default", ...) is None and isinstance(choices, list) and NULL in choices:
        rest = [choice for choice in choices if choice != NULL]
        del compact["anyOf"], compact["default"]
        compact = {**(rest[0] if len(rest) == 1 else {"anyOf": rest}), **compact}
    return compact


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A tool's input schema without the titles pydantic generates and with optional arguments as their type."""
    compact = {key: value for key, value in schema.items() if key != "title"}
    if isinstance(compact.get("properties"), dict):
        compact["properties"] = {name: compact_property(prop) for name, prop in compact["properties"].items()}
    return compact
