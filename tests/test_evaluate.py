"""The evaluate stage: MT-Bench judging and aggregation, the judge over HTTP, lm-eval on a local task."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import torch
from helpers import ROOT, pairs_file, write_questions
from servers import ScriptedServer, transformers_serve

from lingualign.cache import ResultCache
from lingualign.devices import load_causal_lm
from lingualign.engines import Engine, EngineSettings, Generation, Request, build
from lingualign.evaluate import EvaluateSettings, evaluate_model
from lingualign.evaluate.judging import MTBenchSettings, judge_answers
from lingualign.evaluate.preference import heldout_preference, mean_logprobs
from lingualign.mtbench import CATEGORIES, Question, aggregate, read_judge_prompts
from lingualign.settings import parse_settings

GERMAN = "Das ist eine ausführliche Antwort auf Deutsch, mit genügend Text für die Erkennung der Sprache."
PROMPTS = read_judge_prompts(None)

# Ratings per category: (first-turn ratings, second-turn ratings), ten questions each. Their
# means are the seed's Phoenix figures: first 6.39375, second 5.1625, average 5.778125.
PHOENIX_RATINGS = {
    "writing": ([7] * 10, [6] * 10),
    "roleplay": ([7] * 10, [5] * 10),
    "reasoning": ([6] * 10, [5] * 10),
    "math": ([6] * 10, [5] * 10),
    "coding": ([6] * 10, [5] * 10),
    "extraction": ([7] * 10, [5] * 10),
    "stem": ([6.5] + [6] * 9, [5] * 10),
    "humanities": ([7] + [6] * 9, [6] * 3 + [5] * 7),
}
PHOENIX_CATEGORIES = {
    "writing": 6.5,
    "roleplay": 6.0,
    "reasoning": 5.5,
    "math": 5.5,
    "coding": 5.5,
    "extraction": 6.0,
    "stem": 5.525,
    "humanities": 5.7,
}


def mtbench_settings(judge: dict[str, Any] | None = None, **overrides: Any) -> MTBenchSettings:
    """MT-Bench settings; the tests hand judge_answers an engine of their own."""
    raw = {"judge": {"engine": {"name": "transformers", "model": "judge"}} | (judge or {})} | overrides
    return parse_settings(MTBenchSettings, raw, "mtbench")


class RatingJudge(Engine):
    """A judge that reads which question and turn it is asked about and replies with a set rating."""

    def __init__(self, ratings: dict[str, float | str], model: str = "judge", batch_size: int = 4):
        super().__init__(EngineSettings(name="rating", model=model, batch_size=batch_size))
        self.ratings: dict[str, float | str] = ratings
        self.seen: list[tuple[dict[str, str], ...]] = []

    @property
    def asked(self) -> int:
        return len(self.seen)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        replies = []
        for request in requests:
            self.seen.append(request.messages or ())
            text = next(m["content"] for m in reversed(request.messages or ()) if m["role"] == "user")
            # The second turn's prompt holds both questions; the first turn's only the first.
            key = next(k for k in sorted(self.ratings, key=lambda k: k.endswith("T1")) if k in text)
            rating = self.ratings[key]
            replies.append(
                Generation(
                    rating if isinstance(rating, str) else f"Die Antwort ist hilfreich. Rating: [[{rating}]]", False
                )
            )
        return replies


def phoenix_questions() -> tuple[list[Question], dict[str, float | str]]:
    questions, ratings = [], {}
    for c, (category, (first, second)) in enumerate(PHOENIX_RATINGS.items()):
        for i in range(10):
            qid = 81 + c * 10 + i
            reference = ("Referenz eins.", "Referenz zwei.") if category in ("math", "reasoning", "coding") else None
            questions.append(Question(qid, category, (f"Frage Q{qid}T1?", f"Frage Q{qid}T2?"), reference))
            ratings |= {f"Q{qid}T1": first[i], f"Q{qid}T2": second[i]}
    return questions, ratings


def test_aggregation_matches_the_seed_phoenix_figures() -> None:
    questions, ratings = phoenix_questions()
    judge = RatingJudge(ratings)
    rows = judge_answers(judge, PROMPTS, questions, [(GERMAN, GERMAN)] * len(questions), mtbench_settings())
    result = aggregate(rows)
    assert judge.asked == 160
    assert result["first_turn"] == 6.39375
    assert result["second_turn"] == 5.1625
    assert result["average"] == 5.778125
    assert result["categories"] == PHOENIX_CATEGORIES
    assert (result["parse_rate"], result["judgements"], result["unparseable"], result["not_german"]) == (1.0, 160, 0, 0)


def test_unparseable_judgements_are_counted_and_left_out_and_english_answers_score_one() -> None:
    questions = [
        Question(1, "writing", ("Frage Q1T1?", "Frage Q1T2?"), None),
        Question(2, "stem", ("Frage Q2T1?", "Frage Q2T2?"), None),
    ]
    judge = RatingJudge({"Q1T1": 8, "Q1T2": "I cannot rate this.", "Q2T1": 4, "Q2T2": 9})
    english = "This answer is written in English and has more than enough words for the language check."
    rows = judge_answers(judge, PROMPTS, questions, [(GERMAN, GERMAN), (GERMAN, english)], mtbench_settings())
    assert judge.asked == 3  # the English answer never reached the judge
    assert [(r["status"], r["rating"]) for r in rows] == [
        ("judged", 8.0),
        ("unparseable", None),
        ("judged", 4.0),
        ("not_german", 1.0),
    ]
    result = aggregate(rows)
    assert result["first_turn"] == 6.0 and result["second_turn"] == 1.0  # the unparseable one is not a 0
    assert (
        result["categories"]["writing"] == 8.0
        and result["categories"]["stem"] == 2.5
        and result["categories"]["math"] is None
    )
    assert (result["judgements"], result["unparseable"], result["not_german"], result["parse_rate"]) == (
        3,
        1,
        1,
        round(2 / 3, 6),
    )


def test_an_empty_answer_is_not_german_and_code_only_answers_go_to_the_judge() -> None:
    questions = [
        Question(1, "coding", ("Schreibe Code Q1T1.", "Noch einmal Q1T2."), ("```py\npass\n```", "```py\npass\n```"))
    ]
    judge = RatingJudge({"Q1T1": 5, "Q1T2": 6})
    rows = judge_answers(
        judge, PROMPTS, questions, [("", "```python\nprint('hello world, this is code')\n```")], mtbench_settings()
    )
    assert [(r["status"], r["rating"]) for r in rows] == [("not_german", 1.0), ("judged", 6.0)]
    ((system, user),) = judge.seen
    assert (
        system["content"] == PROMPTS["single-math-v1-multi-turn"]["system_prompt"]
    )  # coding is judged against the reference
    assert "### Reference answer:\n```py\npass\n```" in user["content"]


def test_judge_replies_over_http_without_a_rating_with_two_or_out_of_range() -> None:
    replies = {"Q1T1": "Rating: [[8]]", "Q2T1": "No rating here.", "Q3T1": "[[2]] then [[9]]", "Q4T1": "Rating: [[12]]"}

    def respond(body: dict[str, Any]) -> dict[str, Any]:
        text = body["messages"][-1]["content"]
        key = next(k for k in replies if k in text)
        return {"choices": [{"message": {"role": "assistant", "content": replies[key]}, "finish_reason": "stop"}]}

    server = ScriptedServer([(503, 0.0)], respond=respond)
    try:
        settings = mtbench_settings(
            {"engine": {"name": "openai", "model": "gpt-4", "base_url": server.url, "backoff_s": 0.01}}
        )
        questions = [Question(n, "writing", (f"Frage Q{n}T1?", f"Frage Q{n}T2?"), None) for n in range(1, 5)]
        rows = judge_answers(build(settings.judge.engine), PROMPTS, questions, [(GERMAN, GERMAN)] * 4, settings)
        first_turns = [row for row in rows if row["turn"] == 1]
        assert [row["judgement"] for row in first_turns] == list(replies.values())  # a 503 was retried
        assert [(row["rating"], row["status"]) for row in first_turns] == [
            (8.0, "judged"),
            (None, "unparseable"),
            (None, "unparseable"),
            (None, "unparseable"),
        ]
        bodies = [r["body"] for r in server.requests if r["path"] == "/v1/chat/completions"]
        assert all(b["model"] == "gpt-4" and b["temperature"] == 0.0 for b in bodies)
    finally:
        server.close()


def test_evaluate_a_model_end_to_end_with_a_judge_behind_a_real_server(
    tiny_lm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the local lm-eval task reads its data file relative to the project root
    questions = write_questions(
        tmp_path / "q.jsonl",
        [
            {"question_id": 81, "category": "writing", "turns": ["Schreibe einen kurzen Gruß.", "Jetzt kürzer."]},
            {"question_id": 111, "category": "math", "turns": ["Was ist 2+2?", "Und 3+3?"], "reference": ["4", "6"]},
        ],
    )
    with transformers_serve(tiny_lm) as url:
        settings = parse_settings(
            EvaluateSettings,
            {
                "models": {"tiny": str(tiny_lm)},
                "engine": {"name": "transformers", "device": "cpu", "batch_size": 16},
                "mtbench": {
                    "questions": str(questions),
                    "max_new_tokens": 8,
                    "min_language_chars": 1000,  # a random model's words are no language; let the judge see them
                    "judge": {
                        "engine": {"name": "openai", "model": str(tiny_lm), "base_url": url},
                        "max_new_tokens": 8,
                    },
                },
                "support": {"cases": str(ROOT / "data" / "eval" / "support"), "max_new_tokens": 8},
                "harness": {"limit": 8, "batch_size": 4},
            },
            "evaluate",
        )
        result = evaluate_model(
            settings,
            "tiny",
            pairs_file(tmp_path / "test.parquet", count=3),
            outputs := tuple(tmp_path / f"{name}.parquet" for name in ("answers", "replies", "pairs", "samples")),
            tmp_path / "judge-cache",
            "evaluate",
        )
    mt = result["mt_bench"]
    assert set(mt["categories"]) == set(CATEGORIES)
    answers = pq.read_table(tmp_path / "answers.parquet").to_pylist()
    assert [(a["question_id"], a["turn"]) for a in answers] == [(81, 1), (81, 2), (111, 1), (111, 2)]
    sent = [a for a in answers if a["answer"].strip()]  # a random model may stop at once: empty is not German
    assert mt["judgements"] == len(sent) >= 1 and mt["not_german"] == 4 - len(sent)
    assert all(a["judgement"] is not None for a in sent)  # every judgement came back from the server
    assert all((a["status"] == "judged") == (a["rating"] is not None) for a in sent)
    assert mt["parse_rate"] == round(sum(a["status"] == "judged" for a in sent) / len(sent), 6)
    assert 0 <= result["harness"]["support_mc_de"]["acc"] <= 1 and "acc_norm" in result["harness"]["support_mc_de"]
    assert result["preference"]["pairs"] == 3
    assert result["engine"] == "transformers"
    support, replies = result["support"], pq.read_table(tmp_path / "replies.parquet").to_pylist()
    assert support["cases"] == len(replies) >= 60 and support["passed"] == sum(not r["failed"] for r in replies)
    assert set(support["categories"]) == {r["category"] for r in replies}
    # Per-case results for every evaluation, named in the metrics, and every headline figure's interval.
    assert result["per_case"] == dict(
        zip(("mt_bench", "support", "preference", "harness"), map(str, outputs), strict=True)
    )
    pairs, samples = (pq.read_table(path).to_pylist() for path in outputs[2:])
    assert len(pairs) == 3 and {s["task"] for s in samples} == {"support_mc_de"}
    assert len([s for s in samples if s["metric"] == "acc"]) == 8  # harness.limit documents
    intervals = result["intervals"]
    assert intervals["support.score"]["n"] == len(replies) and intervals["preference.accuracy"]["n"] == 3
    assert intervals["support.score"]["value"] == support["score"]
    assert intervals["harness.support_mc_de.acc"]["value"] == result["harness"]["support_mc_de"]["acc"]
    for figure in intervals.values():
        assert figure["n"] == 0 or figure["low"] <= figure["value"] <= figure["high"]
    # The judge's size, read from its safetensors headers: the report says a tiny judge measures nothing.
    judge = result["mt_bench"]["judge"]
    assert judge["model"] == str(tiny_lm) and 0 < judge["parameters"] < 10_000_000


class InterruptedJudge(Engine):
    """Answers ``[[n]]`` with n the number of its messages' characters mod 9 + 1; dies on call ``dies_on``."""

    def __init__(self, dies_on: int | None = None, model: str = "judge"):
        super().__init__(EngineSettings(name="interrupted", model=model, batch_size=3))
        self.calls, self.asked, self.dies_on = 0, 0, dies_on

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        self.calls += 1
        if self.calls == self.dies_on:
            raise KeyboardInterrupt
        self.asked += len(requests)
        return [Generation(f"[[{len(json.dumps(r.messages)) % 9 + 1}]]", False) for r in requests]


def test_judgements_are_cached_batch_by_batch_and_an_interrupted_run_asks_only_the_rest(tmp_path: Path) -> None:
    settings = mtbench_settings()
    questions = [Question(i, category, (f"Frage {i}?", f"Weiter {i}?"), None) for i, category in enumerate(CATEGORIES)]
    answers = [(GERMAN, GERMAN)] * len(questions)

    def cache(judge: Engine) -> ResultCache:
        return ResultCache(tmp_path / "judge", judge.identity())

    uninterrupted = judge_answers(InterruptedJudge(), PROMPTS, questions, answers, settings)
    with pytest.raises(KeyboardInterrupt):
        dying = InterruptedJudge(dies_on=3)
        judge_answers(dying, PROMPTS, questions, answers, settings, cache(dying))
    resumed_judge = InterruptedJudge()
    resumed = judge_answers(resumed_judge, PROMPTS, questions, answers, settings, cache(resumed_judge))
    assert resumed == uninterrupted
    assert resumed_judge.asked == 16 - 2 * 3  # two batches of three were stored before the kill
    again = InterruptedJudge()
    assert (
        judge_answers(again, PROMPTS, questions, answers, settings, cache(again)) == uninterrupted and again.asked == 0
    )
    fresh = InterruptedJudge(model="another-judge")
    judge_answers(fresh, PROMPTS, questions, answers, settings, cache(fresh))
    assert fresh.asked == 16  # another judge's ratings are never reused


def test_a_reply_prefix_starts_the_judges_reply_and_counts_in_the_rating() -> None:
    settings = mtbench_settings({"reply_prefix": "Rating: [["})
    judge = RatingJudge({"Q1T1": "7]]", "Q1T2": "x"})
    rows = judge_answers(
        judge, PROMPTS, [Question(1, "writing", ("Frage Q1T1?", "Frage Q1T2?"), None)], [(GERMAN, GERMAN)], settings
    )
    assert [(r["judgement"], r["rating"]) for r in rows] == [("Rating: [[7]]", 7.0), ("Rating: [[x", None)]
    assert all(messages[-1] == {"role": "assistant", "content": "Rating: [["} for messages in judge.seen)


def test_heldout_preference_accuracy(tiny_lm: Path, tmp_path: Path) -> None:
    result, rows = heldout_preference(*load_causal_lm(str(tiny_lm)), pairs_file(tmp_path / "test.parquet", count=4))
    assert result["pairs"] == 4 and 0 <= result["accuracy"] <= 1 and math.isfinite(result["mean_margin"])
    # One row per pair, the per-case result the summary comes from.
    assert len({row["prompt_id"] for row in rows}) == 4
    assert all(row["correct"] == (row["margin"] > 0) for row in rows)
    assert result["accuracy"] == round(sum(row["correct"] for row in rows) / 4, 6)


def test_each_answer_is_scored_as_if_alone(tiny_lm: Path) -> None:
    """Batched, padded and with logits kept from the batch's first answer token on, every mean is
    the answer's own, scored one conversation at a time with every logit."""
    model, tokenizer = load_causal_lm(str(tiny_lm))
    turns = [
        ("Hallo", "Guten Tag, wie kann ich helfen?"),
        ("Wo ist meine Bestellung 12345 vom letzten Montag?", "Unterwegs."),
        ("Danke", "Gern geschehen."),
    ]
    conversations = [([{"role": "user", "content": q}], [{"role": "assistant", "content": a}]) for q, a in turns]
    for (prompt, answer), batched in zip(conversations, mean_logprobs(model, tokenizer, conversations), strict=True):
        start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=False))
        ids = tokenizer.apply_chat_template(prompt + answer, tokenize=True, return_dict=False)
        with torch.inference_mode():
            logprobs = model(input_ids=torch.tensor([ids])).logits[0, :-1].float().log_softmax(-1)
        alone = logprobs[start - 1 :].gather(1, torch.tensor(ids[start:])[:, None]).mean()
        assert batched == pytest.approx(float(alone), abs=1e-4)
