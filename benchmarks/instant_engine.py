"""``instant``: an engine that answers every request at once, so a benchmark times the stages around it.

A translation request (ALMA's prompt, ``...{source}: {text}\\n{target}:``) gets its chunk back; a
chat request gets a sample of a length drawn from the request's own hash and seed, so seeds differ
and reruns agree. Registered through the engines' registry by whoever imports this file
(``benchmarks/scale_bench.py``); the stages run unchanged.

With ``LINGUALIGN_INSTANT_COUNT`` set to a file, each batch adds its size to the number kept there, so
a killed run leaves behind how many requests it had answered.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request

SAMPLE_SENTENCES = (
    "Vielen Dank für Ihre Nachricht, wir kümmern uns sofort darum.",
    "Die Lieferung sollte innerhalb von drei Werktagen bei Ihnen ankommen.",
    "Bitte prüfen Sie zuerst, ob der Router richtig angeschlossen ist.",
    "Eine Rückerstattung erfolgt auf das ursprüngliche Zahlungsmittel.",
    "Wir haben Ihre Bestellung storniert und den Betrag gutgeschrieben.",
    "Falls das Problem weiterhin besteht, melden Sie sich gerne erneut.",
    "Die Rechnung finden Sie in Ihrem Kundenkonto unter Bestellungen.",
    "Zuerst teilen wir beide Seiten der Gleichung durch den gleichen Faktor.",
)


@ENGINES.register("instant", EngineSettings)
class InstantEngine(Engine):
    def __init__(self, settings: EngineSettings):
        super().__init__(settings)
        self.answered = 0
        self.count_path = os.environ.get("LINGUALIGN_INSTANT_COUNT")

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        answers = [self._answer(request) for request in requests]
        self.answered += len(requests)
        if self.count_path:
            with open(self.count_path, "w") as handle:
                handle.write(str(self.answered))
        return answers

    @staticmethod
    def _answer(request: Request) -> Generation:
        if request.prompt is not None:
            chunk = request.prompt.rsplit("\n", 2)[-2].partition(": ")[2]
            return Generation(chunk, False, len(chunk) // 4)
        draw = hashlib.blake2b(f"{request.key()}".encode(), digest_size=8).digest()
        count = 1 + draw[0] % 12  # 1 to 12 sentences: short answers and long ones
        text = " ".join(SAMPLE_SENTENCES[(draw[1] + i * draw[2]) % len(SAMPLE_SENTENCES)] for i in range(count))
        return Generation(text, False, len(text) // 4)
