"""score: a real (tiny) reward model through the chat template, batched and cached; dataset ratings;
a scorer registered from this file alone scoring through the stage."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet  # noqa: F401 - pa.parquet
import pytest
import torch

from lingualign.contracts import TRANSLATED
from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request
from lingualign.errors import SettingsError
from lingualign.io import write_parquet
from lingualign.registry import PluginSettings
from lingualign.score import ScoreSettings, score_stage, score_table
from lingualign.scorers import SCORERS, Scorer, conversations
from lingualign.settings import parse_settings


def translated_table(count: int, offset: int = 0) -> pa.Table:
    rows = []
    for i in range(offset, offset + count):
        rows.append(
            {
                "prompt_id": f"p{i // 2}",
                "dataset": "uf" if i % 3 else "orca",
                "source_row": i // 2 + 1,
                "system": "Be brief." if i % 4 == 0 else "",
                "prompt": f"Question {i // 2}?",
                "response_id": f"r{i}",
                "response": "Answer " * (1 + i % 7),
                "source_model": "gpt-4" if i % 2 else "alpaca-7b",
                "rating": None if i % 3 == 0 else float(i % 5),
                "fine_grained_rating": float(i % 4) if i % 3 else None,
                "label": ("chosen" if i % 2 == 0 else "rejected") if i % 3 == 0 else None,
                "system_de": "Sei kurz." if i % 4 == 0 else "",
                "prompt_de": f"Frage {i // 2}?",
                "response_de": "Antwort " * (1 + (i * 3) % 11),
                "flags": [],
            }
        )
    return pa.Table.from_pylist(rows, TRANSLATED)


def reward_settings(model: Path, batch_size: int = 8, **extra: Any) -> ScoreSettings:
    return parse_settings(
        ScoreSettings,
        {
            "scorer": {
                "name": "reward_model",
                "model": str(model),
                "batch_size": batch_size,
                "device": "cpu",
                "dtype": "float32",
            }
        }
        | extra,
        "score",
    )


def scores_of(settings: ScoreSettings, table: pa.Table, cache: Path) -> tuple[list[float], Any]:
    scorer = SCORERS.build(settings.scorer)
    result, _ = score_table(table, settings, scorer, cache)
    return result.column("score").to_pylist(), scorer


def test_batched_scores_equal_one_by_one_and_are_deterministic(tmp_path: Path, tiny_reward_model: Path) -> None:
    table = translated_table(17)
    batched, _ = scores_of(reward_settings(tiny_reward_model, 8), table, tmp_path / "a")
    single, _ = scores_of(reward_settings(tiny_reward_model, 1), table, tmp_path / "b")
    again, _ = scores_of(reward_settings(tiny_reward_model, 8), table, tmp_path / "c")
    assert batched == again
    assert max(abs(a - b) for a, b in zip(batched, single, strict=True)) < 1e-5
    assert len(set(batched)) > 5  # different conversations, different scores


def test_conversation_goes_through_the_chat_template(tmp_path: Path, tiny_reward_model: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    table = translated_table(1)
    (score,), scorer = scores_of(reward_settings(tiny_reward_model), table, tmp_path / "c")
    tokenizer = AutoTokenizer.from_pretrained(tiny_reward_model)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_reward_model).eval()
    turns = conversations(table.to_pydict(), "translated")[0]
    assert turns == [
        {"role": "system", "content": "Sei kurz."},
        {"role": "user", "content": "Frage 0?"},
        {"role": "assistant", "content": "Antwort "},
    ]
    rendered = tokenizer.apply_chat_template(turns, tokenize=False)
    assert rendered.count("<|im_start|>") == 3
    with torch.inference_mode():
        expected = model(**tokenizer(rendered, return_tensors="pt", add_special_tokens=False)).logits[0, 0].item()
        raw = model(**tokenizer("Sei kurz. Frage 0? Antwort ", return_tensors="pt")).logits[0, 0].item()
    assert score == pytest.approx(expected, abs=1e-6) and abs(score - raw) > 1e-6


def test_cache_scores_only_new_rows(tmp_path: Path, tiny_reward_model: Path) -> None:
    first, scorer = scores_of(reward_settings(tiny_reward_model), translated_table(10), tmp_path / "cache")
    assert scorer.run == {"cache_hits": 0, "scored": 10}
    grown = pa.concat_tables([translated_table(10), translated_table(2, offset=10)])
    second, scorer = scores_of(reward_settings(tiny_reward_model), grown, tmp_path / "cache")
    assert scorer.run == {"cache_hits": 10, "scored": 2} and second[:10] == first


def test_source_or_translated_text_is_scored(tmp_path: Path, tiny_reward_model: Path) -> None:
    table = translated_table(4)
    assert conversations(table.to_pydict(), "source")[1][-1]["content"] == "Answer Answer "
    german, _ = scores_of(reward_settings(tiny_reward_model), table, tmp_path / "a")
    english, _ = scores_of(reward_settings(tiny_reward_model, text="source"), table, tmp_path / "a")
    assert german != english


def test_ratings_scorer_uses_dataset_ratings_and_labels(tmp_path: Path) -> None:
    table = translated_table(6)
    overall, scorer = scores_of(parse_settings(ScoreSettings, {"scorer": "ratings"}, "score"), table, tmp_path)
    assert overall == [1.0, 1.0, 2.0, 0.0, 4.0, 0.0] and scorer.identity == "ratings:overall"
    fine, _ = scores_of(
        parse_settings(ScoreSettings, {"scorer": {"name": "ratings", "fine_grained": True}}, "score"), table, tmp_path
    )
    assert fine == [1.0, 1.0, 2.0, 0.0, 0.0, 1.0]


def test_reward_model_is_required_and_remote_code_is_off_by_default() -> None:
    with pytest.raises(SettingsError, match=r"score.scorer.model: Field required"):
        parse_settings(ScoreSettings, {"scorer": "reward_model"}, "score")
    assert (
        parse_settings(
            ScoreSettings, {"scorer": {"name": "reward_model", "model": "x"}}, "score"
        ).scorer.trust_remote_code
        is False
    )  # type: ignore[attr-defined]
    with pytest.raises(
        SettingsError, match=r"score.scorer.name: unknown scorer 'rewards' \(known: [^)]*ratings, reward_model"
    ):
        parse_settings(ScoreSettings, {"scorer": "rewards"}, "score")


# ---------------------------------------------------------------- a scorer in one file


class LengthSettings(PluginSettings):
    per_char: float = 1.0


@SCORERS.register("length", LengthSettings)
class LengthScorer(Scorer):
    """A whole scorer, registered here: longer German answers score higher."""

    def __init__(self, settings: LengthSettings):
        super().__init__(settings)
        self.identity, self.run = f"length:{settings.per_char}", {"scored": 0}

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        self.run["scored"] += len(columns["response_de"])
        return [len(turns[-1]["content"]) * self.settings.per_char for turns in conversations(columns, text)]


def test_a_scorer_registered_in_one_file_scores_through_the_stage(tmp_path: Path) -> None:
    write_parquet(tmp_path / "translated.parquet", translated_table(4), TRANSLATED)
    settings = parse_settings(ScoreSettings, {"scorer": {"name": "length", "per_char": 0.5}}, "score")
    metrics = score_stage(settings, [tmp_path / "translated.parquet"], tmp_path / "scored.parquet", tmp_path / "cache")
    scored = pa.parquet.read_table(tmp_path / "scored.parquet").to_pylist()
    assert [row["score"] for row in scored] == [len(row["response_de"]) * 0.5 for row in scored]
    assert {row["scorer"] for row in scored} == {"length:0.5"} and metrics["run"]["scored"] == 4


# ---------------------------------------------------------------- the LLM judge


class VerdictSettings(EngineSettings):
    verdicts: dict[str, str] = {}


@ENGINES.register("verdicts", VerdictSettings)
class VerdictEngine(Engine):
    """A judge that finds a key of ``verdicts`` in the prompt and replies with its verdict."""

    asked: list[Request] = []

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        VerdictEngine.asked += list(requests)
        verdicts = self.settings.verdicts  # type: ignore[attr-defined]
        replies = [next((v for k, v in verdicts.items() if k in r.messages[1]["content"]), "") for r in requests]  # type: ignore[index]
        return [Generation(reply, False) for reply in replies]


JUDGED = {"Antwort eins": "7]]", "Antwort zwei": "no rating", "Antwort drei": "2]] or [[9]]", "Antwort vier": "12]]"}


def judged_table() -> pa.Table:
    table = translated_table(4)
    return table.set_column(table.schema.get_field_index("response_de"), "response_de", pa.array(list(JUDGED)))


def judge_settings(**extra: Any) -> dict[str, Any]:
    engine = {"name": "verdicts", "model": "judge", "verdicts": JUDGED}
    return {"name": "judge", "engine": engine, "reply_prefix": "Rating: [[", "max_new_tokens": 8} | extra


def test_the_judge_rates_with_mt_benchs_prompt_and_leaves_unparseable_replies_unscored(tmp_path: Path) -> None:
    VerdictEngine.asked.clear()
    settings = parse_settings(ScoreSettings, {"scorer": judge_settings()}, "score")
    scores, scorer = scores_of(settings, judged_table(), tmp_path / "cache")
    # No rating, two ratings and one outside 1-10 are unparseable: counted, never scored.
    assert scores == [7.0, None, None, None] and scorer.report() == {"rated": 1, "unparseable": 3}
    system, user, prefix = VerdictEngine.asked[0].messages  # type: ignore[misc]
    assert system["content"] == "You are a helpful assistant." and "impartial judge" in user["content"]
    assert (
        "[Question]\nSei kurz.\n\nFrage 0?\n" in user["content"]
    )  # the system prompt is part of the task and "Answer]\nAntwort eins\n[The End" in user["content"]
    assert prefix == {"role": "assistant", "content": "Rating: [["} and VerdictEngine.asked[0].continue_final
    again, scorer = scores_of(settings, judged_table(), tmp_path / "cache")
    assert again == scores and scorer.run == {"cache_hits": 4, "scored": 0} and len(VerdictEngine.asked) == 4


def test_a_rubric_must_be_a_single_answer_prompt(tmp_path: Path) -> None:
    settings = parse_settings(ScoreSettings, {"scorer": judge_settings(rubric="pair-v2")}, "score")
    with pytest.raises(
        SettingsError, match=r"score.scorer.rubric: no single-answer prompt 'pair-v2' \(known: single-v1"
    ):
        scores_of(settings, judged_table(), tmp_path)


def test_fallback_keeps_the_datasets_ratings_and_judges_the_rest(tmp_path: Path) -> None:
    table = judged_table()
    table = table.set_column(table.schema.get_field_index("rating"), "rating", pa.array([None, 3.0, None, 4.0]))
    table = table.set_column(table.schema.get_field_index("label"), "label", pa.array([None] * 4, pa.string()))
    settings = parse_settings(
        ScoreSettings, {"scorer": {"name": "fallback", "scorers": ["ratings", judge_settings()]}}, "score"
    )
    scorer = SCORERS.build(settings.scorer)
    result, _ = score_table(table, settings, scorer, tmp_path)
    assert result.column("score").to_pylist() == [7.0, 3.0, None, 4.0]
    # A row no scorer could score keeps the fallback's own name.
    chain = "fallback(ratings:overall,judge:judge:single-v1)"
    assert result.column("scorer").to_pylist() == ["judge:judge:single-v1", "ratings:overall", chain, "ratings:overall"]
    assert scorer.report() == {"judge:judge:single-v1": {"rated": 1, "unparseable": 1}}


class OddsSettings(EngineSettings):
    odds: dict[str, dict[str, float]] = {}


@ENGINES.register("odds", OddsSettings)
class OddsEngine(Engine):
    """A judge that gives each rating a probability, by the answer it is asked about."""

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        odds = self.settings.odds  # type: ignore[attr-defined]
        found = [next((v for k, v in odds.items() if k in r.messages[1]["content"]), {}) for r in requests]  # type: ignore[index]
        return [
            Generation("", False, 1, {c: chances.get(c, 0.0) for c in r.candidates})
            for r, chances in zip(requests, found, strict=True)
        ]


def test_an_expected_rating_weighs_each_rating_by_its_probability(tmp_path: Path) -> None:
    odds = {
        "Antwort eins": {"5": 0.6, "7": 0.2},
        "Antwort zwei": {"9": 0.1},
        "Antwort drei": {},
        "Antwort vier": {"1": 0.5, "2": 0.5},
    }
    scorer = judge_settings(engine={"name": "odds", "model": "judge", "odds": odds}, expected=True)
    scores, judge = scores_of(parse_settings(ScoreSettings, {"scorer": scorer}, "score"), judged_table(), tmp_path)
    assert scores == [5.5, 9.0, None, 1.5]  # (5 x 0.6 + 7 x 0.2) / 0.8; no rating with any probability: unscored
    assert judge.report() == {"rated": 3, "unparseable": 1}


def test_tables_scored_a_few_rows_at_a_time_score_as_in_one_batch(tmp_path: Path) -> None:
    """Rows stream across the input tables' boundaries: the same rows, scores and per-dataset means."""
    sources = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    write_parquet(sources[0], translated_table(11), TRANSLATED)
    write_parquet(sources[1], translated_table(6, offset=11), TRANSLATED)
    found = []
    for batch_rows in (10_000, 4):
        settings = parse_settings(ScoreSettings, {"scorer": "ratings", "batch_rows": batch_rows}, "score")
        metrics = score_stage(settings, sources, tmp_path / f"{batch_rows}.parquet", tmp_path / "cache")
        del metrics["run"]
        found.append((metrics, pa.parquet.read_table(tmp_path / f"{batch_rows}.parquet").to_pylist()))
    assert found[0] == found[1] and len(found[0][1]) == 17
