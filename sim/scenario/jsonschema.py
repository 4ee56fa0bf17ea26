"""The JSON Schema of scenario files, for editors (completion, checking as you type).

Point your editor's YAML language server at it, for example with a first line
``# yaml-language-server: $schema=scenario.schema.json`` after ``sim schema --out
scenario.schema.json``. The schema checks structure and types; rules across fields (a
deadline before its start, targets above the cap) are checked by ``sim validate``.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.schema import Scenario


def scenario_json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["required"] = [r for r in schema.get("required", []) if r != "name"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sim scenario",
        **{k: v for k, v in schema.items() if k != "title"},
    }
