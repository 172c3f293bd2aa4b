"""An Ollama ``Modelfile`` whose TEMPLATE renders what the checkpoint's chat template renders.

The chat template (Jinja) is read off by rendering marker conversations and cutting the text at
the markers: what comes before and after each role's content, what a conversation without a
system message starts with, and the generation prompt (:class:`ChatFormat`). That structure is
then written as a Go template, and rendered in Python the same way to check it against the chat
template on conversations with and without a system prompt; a template that does not fit the
structure (one that moves the system prompt into the first user turn, say) is refused. Ollama
puts the Modelfile's SYSTEM first in every conversation that has no system message of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lingualign.errors import LingualignError

ROLES = ("system", "user", "assistant")
# Content markers: plain letters, so no template's trim or escaping touches them.
MARK = {"system": "QQSYSTEMQQ", "user": "QQUSERQQ", "assistant": "QQASSISTANTQQ", "user2": "QQUSERTWOQQ"}
# Conversations the derived structure must render exactly as the chat template does.
PROBES = (
    (
        {"role": "system", "content": "Sie sind der Kundenservice.\nBitte in der Sie-Form."},
        {"role": "user", "content": "Wo ist mein Paket?"},
        {"role": "assistant", "content": "Es ist unterwegs.\n\nGruß"},
        {"role": "user", "content": "Und wann kommt es an?"},
    ),
    (
        {"role": "user", "content": "Hallo"},
        {"role": "assistant", "content": "Guten Tag!"},
        {"role": "user", "content": "Ich möchte kündigen."},
    ),
)


@dataclass(frozen=True)
class ChatFormat:
    """A chat template as text around each message: the form Ollama's TEMPLATE is written in."""

    wraps: dict[str, tuple[str, str]]  # role -> (before the content, after it)
    no_system: str  # what a conversation without a system message starts with
    generation: str  # the generation prompt, after the last message

    def render(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt for ``messages`` (system first or absent), generation prompt included."""
        text = "" if messages and messages[0]["role"] == "system" else self.no_system
        for message in messages:
            before, after = self.wraps[message["role"]]
            text += before + message["content"] + after
        return text + self.generation

    def go_template(self) -> str:
        """The same, as a Go text/template over Ollama's ``.Messages``."""
        branches = "{{ else if ".join(
            f'eq $m.Role "{role}" }}}}{go_text(before)}{{{{ $m.Content }}}}{go_text(after)}'
            for role, (before, after) in self.wraps.items()
        )
        return (
            f'{{{{ if not .Messages }}}}{go_text(self.no_system)}{{{{ else if ne (index .Messages 0).Role "system" }}}}'
            f"{go_text(self.no_system)}{{{{ end }}}}"
            f"{{{{ range $m := .Messages }}}}{{{{ if {branches}{{{{ end }}}}{{{{ end }}}}{go_text(self.generation)}"
        )

    def stops(self, tokenizer: Any) -> list[str]:
        """The special tokens that mark a turn's edges, and end-of-sequence: where a reply stops."""
        pieces = "".join(before + after for before, after in self.wraps.values())
        specials = [token for token in tokenizer.all_special_tokens if token and token in pieces]
        return sorted({*specials, *([tokenizer.eos_token] if tokenizer.eos_token else [])})


def go_text(text: str) -> str:
    """Literal text in a Go template: ``{{`` would open an action, so it is written as a string."""
    return text.replace("{{", '{{ "{{" }}')


def derive(tokenizer: Any, where: str) -> ChatFormat:
    """Read the structure off ``tokenizer``'s chat template, and check it on :data:`PROBES`."""
    from jinja2 import TemplateError

    def render(messages: list[tuple[str, str]], generation: bool) -> str:
        conversation = [{"role": role, "content": MARK[key]} for role, key in messages]
        return tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=generation)

    def cut(text: str, keys: Sequence[str]) -> list[str]:
        pieces = []
        for key in keys:
            before, found, text = text.partition(MARK[key])
            if not found:
                raise LingualignError(f"{where}: the chat template drops or changes a message's content")
            pieces.append(before)
        return [*pieces, text]

    def minus(text: str, prefix: str = "", suffix: str = "") -> str:
        if not (text.startswith(prefix) and text.endswith(suffix)) or len(prefix) + len(suffix) > len(text):
            raise LingualignError(f"{where}: the chat template does not wrap each message in text of its role")
        return text[len(prefix) : len(text) - len(suffix)]

    try:
        alone = cut(render([("user", "user")], False), ["user"])
        generation = minus(cut(render([("user", "user")], True), ["user"])[1], alone[1])
        full = cut(
            render([("system", "system"), ("user", "user"), ("assistant", "assistant"), ("user", "user2")], False),
            ["system", "user", "assistant", "user2"],
        )
        reply = cut(render([("user", "user"), ("assistant", "assistant")], False), ["user", "assistant"])
    except (ValueError, TemplateError) as exc:  # no template, or its own raise_exception
        raise LingualignError(f"{where}: cannot render the chat template: {exc}") from None
    user_after = alone[1]
    assistant_before, assistant_after = minus(full[2], user_after), reply[2]
    user_before = minus(full[3], assistant_after)
    chat = ChatFormat(
        wraps={
            "system": (full[0], minus(full[1], suffix=user_before)),
            "user": (user_before, user_after),
            "assistant": (assistant_before, assistant_after),
        },
        no_system=minus(alone[0], suffix=user_before),
        generation=generation,
    )
    for probe in PROBES:
        expected = tokenizer.apply_chat_template(list(probe), tokenize=False, add_generation_prompt=True)
        if chat.render(probe) != expected:
            raise LingualignError(f"{where}: the chat template does not wrap each message in text of its role")
    return chat


def modelfile(gguf_name: str, chat: ChatFormat, tokenizer: Any, system: str, parameters: dict[str, Any]) -> str:
    """The Modelfile beside ``gguf_name``: ``ollama create NAME -f Modelfile`` in that folder."""
    template = chat.go_template()
    for name, text in {"TEMPLATE": template, "SYSTEM": system}.items():
        if '"""' in text:
            raise LingualignError(f'Modelfile: the {name} holds """, which a Modelfile cannot quote')
    lines = [f"FROM ./{gguf_name}", f'TEMPLATE """{template}"""', f'SYSTEM """{system}"""']
    lines += [f"PARAMETER stop {quoted(stop)}" for stop in chat.stops(tokenizer)]
    lines += [f"PARAMETER {name} {value}" for name, value in parameters.items()]
    return "\n".join(lines) + "\n"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
