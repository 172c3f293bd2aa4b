"""The one registry every plug-in point uses: names, settings, and a name taken twice."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lingualign.registry import PluginSettings, Registry
from lingualign.settings import Settings


class ShoutSettings(PluginSettings):
    volume: int = 1


def test_a_plugin_registered_under_a_taken_name_is_an_error() -> None:
    things: Registry[type] = Registry("thing")

    @things.register("shout", ShoutSettings)
    class Shout: ...

    things.register("shout", ShoutSettings)(Shout)  # the same plug-in again (a module imported twice) is fine
    with pytest.raises(ValueError, match=r"thing 'shout' is taken by .*Shout: register .*Whisper under another name"):

        @things.register("shout")
        class Whisper: ...

    assert things.get("shout") is Shout


def test_params_name_a_plugin_and_its_settings_validate_each_key() -> None:
    things: Registry[type] = Registry("thing")
    things.register("shout", ShoutSettings)(type("Shout", (), {}))

    class Stage(Settings):
        thing: things.field()  # type: ignore[valid-type]

    assert Stage.model_validate({"thing": "shout"}).thing == ShoutSettings(name="shout")
    assert Stage.model_validate({"thing": {"name": "shout", "volume": 3}}).thing.volume == 3
    with pytest.raises(ValidationError, match=r"unknown thing 'whisper' \(known: shout\)"):
        Stage.model_validate({"thing": "whisper"})
    with pytest.raises(ValidationError, match=r"Input should be a valid integer"):
        Stage.model_validate({"thing": {"name": "shout", "volume": "loud"}})
