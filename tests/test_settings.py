"""settings: a stage sees only the params keys it declares, and every problem with them is one line
naming the file and each key (nested plug-in keys included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from lingualign.engines import EngineField
from lingualign.errors import SettingsError
from lingualign.settings import Settings, load_settings, parse_settings, read_params, select


class Inner(Settings):
    size: int = 1


class Stage(Settings):
    rows: int = Field(default=10, ge=1)
    inner: Inner = Field(default_factory=Inner)
    engine: EngineField = None  # type: ignore[valid-type]
    items: dict[str, Inner] = Field(default_factory=dict)


def test_a_stage_is_handed_only_the_keys_it_declares(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("stage:\n  rows: 3\n  inner: {size: 5}\n  untracked: 1\n  items: {a: {size: 7}, b: {size: 8}}\n")
    assert select(read_params(params), ["stage.rows", "stage.nope.deeper"]) == {"stage": {"rows": 3}}
    # "untracked" would be an unknown key; not declared, it never reaches the settings class.
    assert load_settings(Stage, params, ["stage.rows", "stage.inner"]) == Stage(rows=3, inner=Inner(size=5))
    # A foreach stage (sft@orca) is handed its own item only.
    assert load_settings(Stage, params, ["stage.items.{item}"], item="b").items == {"b": Inner(size=8)}
    with pytest.raises(ValueError, match="share one section"):
        load_settings(Stage, params, ["stage.rows", "other.rows"])


def test_every_problem_is_one_line_naming_file_and_key() -> None:
    raw = {"rows": 0, "inner": {"size": "big", "color": "red"}, "engine": {"name": "transformers", "batch_size": 0}}
    with pytest.raises(SettingsError) as caught:
        parse_settings(Stage, raw, "params.yaml: stage")
    assert str(caught.value) == (
        "params.yaml: stage.rows: Input should be greater than or equal to 1 (got 0); "
        "params.yaml: stage.inner.size: Input should be a valid integer (got 'big'); "
        "params.yaml: stage.inner.color: unknown key; "
        "params.yaml: stage.engine.model: Field required; "
        "params.yaml: stage.engine.batch_size: Input should be greater than or equal to 1 (got 0)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "file not found"), ("a: [", "not valid YAML"), ("- a\n- b\n", "expected a mapping of stage sections")],
)
def test_a_params_file_that_cannot_be_read_says_why(tmp_path: Path, text: str | None, message: str) -> None:
    params = tmp_path / "params.yaml"
    if text is not None:
        params.write_text(text)
    with pytest.raises(SettingsError, match=rf"^{params}: {message}"):
        read_params(params)
