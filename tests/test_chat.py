"""``lingualign chat``: a scripted conversation through stdin, answered in the model's own template."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import run, tool_env

from lingualign.devices import load_causal_lm
from lingualign.engines import Request
from lingualign.engines.transformers import TransformersEngine, TransformersSettings
from lingualign.export.gguf import convert


@pytest.mark.slow  # a model loaded in a subprocess and in this one
@pytest.mark.parametrize("form", ["folder", "gguf"])
def test_chat_answers_each_turn_with_the_conversation_so_far_in_the_models_template(
    tiny_lm: Path, tmp_path: Path, form: str
) -> None:
    model = tiny_lm
    if form == "gguf":  # as the export stage writes it
        model = tmp_path / "tiny-f16.gguf"
        convert(tiny_lm, "f16", model)
    script = "Hallo, wo ist mein Paket?\nUnd wann kommt es an?\n/reset\nDanke!\n/exit\nnever read\n"
    command = ["lingualign", "chat", str(model), "--system", "Sie sind der Kundenservice."]
    completed = subprocess.run(
        [*command, "--max-new-tokens", "5", "--show-prompt"],
        input=script,
        capture_output=True,
        text=True,
        env=tool_env(),
        check=True,
    )
    # The same engine, in this process, replies as the chat command must: greedy, so exactly.
    settings = TransformersSettings(name="transformers", model=str(model), device="cpu", batch_size=1)
    loaded = load_causal_lm(str(model), "cpu", "auto")
    engine = TransformersEngine(settings, loaded)
    system = {"role": "system", "content": "Sie sind der Kundenservice."}
    history = [system]
    expected_prompts, expected_replies = [], []
    for turn in ("Hallo, wo ist mein Paket?", "Und wann kommt es an?", None, "Danke!"):
        if turn is None:
            history = [system]
            continue
        history.append({"role": "user", "content": turn})
        request = Request(5, messages=tuple(history))
        expected_prompts.append(
            engine.tokenizer.apply_chat_template(history, tokenize=False, add_generation_prompt=True)
        )
        reply = engine.generate([request])[0].text.strip()
        expected_replies.append(reply)
        history.append({"role": "assistant", "content": reply})
    printed = completed.stdout
    first, second, after_reset = expected_replies
    assert printed == f"{first}\n{second}\n(a new conversation)\n{after_reset}\n"
    for prompt in expected_prompts:
        assert prompt in completed.stderr
    # The second turn's prompt carries the first exchange; after /reset the third does not.
    assert expected_replies[0] in expected_prompts[1] or not expected_replies[0]
    assert "wo ist mein Paket" not in expected_prompts[2] and "<|im_start|>" in expected_prompts[2]


def test_chat_refuses_a_folder_that_is_no_model(tmp_path: Path) -> None:
    result = run(["lingualign", "chat", str(tmp_path)], cwd=tmp_path, check=False)
    assert result.returncode == 2 and f"{tmp_path}: not a model folder (no config.json) nor a .gguf" in result.stderr
