"""The reply is JSON (a Markdown code fence around it is allowed) that a JSON Schema accepts."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import field_validator

from lingualign.checks import CHECKS, Case, Check
from lingualign.registry import PluginSettings

FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class JSONSchemaSettings(PluginSettings):
    json_schema: dict[str, Any]

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        import jsonschema

        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"not a JSON Schema: {exc.message}") from None
        return schema


@CHECKS.register("json", JSONSchemaSettings)
class JSONSchema(Check):
    def passes(self, reply: str, case: Case) -> bool:
        import jsonschema

        text = reply.strip()
        fenced = FENCE.match(text)
        try:
            value = json.loads(fenced.group(1) if fenced else text)
        except ValueError:
            return False
        return jsonschema.Draft202012Validator(self.settings.json_schema).is_valid(value)
