"""The German support cases: every check type passes a correct reply and fails a wrong one; the
checks agree with a support lead on a labelled development set; the shipped cases read; a
malformed case file is one line that names file, line and case."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run

from lingualign.checks.text import mentions, sentences, tokens
from lingualign.errors import InputError
from lingualign.evaluate.support import SupportCase, grade, read_cases, summarize

SHIPPED = ROOT / "data" / "eval" / "support"
# Replies to the shipped cases as a demanding support lead writes and labels them, from each
# case's prompt and context: good and bad ones ("plain") and borderline ones in every category.
LABELS = ROOT / "tests" / "data" / "support_labels.jsonl"


def case(*checks: dict, context: str = "", prompt: str = "Frage", flags: bool = False) -> SupportCase:
    return SupportCase.model_validate(
        {"id": "t", "category": "test", "prompt": prompt, "context": context, "checks": list(checks)}
        | {flag: flags or any(c["name"] == flag for c in checks) for flag in ("formal_address", "no_invented_contacts")}
    )


@pytest.mark.parametrize(
    ("check", "right", "wrong"),
    [
        (
            {"name": "language", "language": "de", "min_chars": 20},
            "Ihre Rückerstattung ist unterwegs und kommt in wenigen Tagen auf Ihrem Konto an.",
            "Your refund is on its way and will reach your account in a few days.",
        ),
        (
            {"name": "language", "language": "de", "min_chars": 20},
            "Gern prüfe ich Ihren „refund request“ und melde mich bei Ihnen.",
            "Ihr Abo ist gekündigt. Confirmation follows via email asap.",
        ),
        (
            {"name": "formal_address"},
            "Sie können Ihre Adresse jederzeit im Kundenkonto ändern.",
            "Du kannst deine Adresse jederzeit im Kundenkonto ändern.",
        ),
        (
            {
                "name": "json",
                "json_schema": {"type": "object", "required": ["betrag"], "properties": {"betrag": {"type": "number"}}},
            },
            '```json\n{"betrag": 59.9}\n```',
            '{"betrag": "neunundfünfzig"}',
        ),
        (
            {"name": "contains", "all": ["30 Tage"], "none": ["14 Tage"]},
            "Sie können Artikel bis 30 Tage nach Lieferung zurückgeben.",
            "Sie können Artikel bis 14 Tage nach Lieferung zurückgeben.",
        ),
        (
            {"name": "contains", "all": ["5 Werktage", "4,95 €"]},
            "Die Erstattung dauert fünf Werktage, der Versand kostet 4.95 EUR.",
            "Die Erstattung dauert 15 Werktage, der Versand kostet 14,95 €.",
        ),
        (
            {"name": "contains", "all": ["24 Monate", "14 Uhr", "14.02.2025"]},
            "Zwei Jahre Garantie; bis 14:00 Uhr bestellt, ab dem 14. Februar 2025.",
            "Zwölf Monate Garantie; bis 14:00 Uhr bestellt, ab dem 14. Februar 2025.",
        ),
        (
            {"name": "answer", "expect": ["14.02.2025"]},
            "**14. Februar 2025.**",
            "Sie haben am 14.02.2025 bestellt.",
        ),
        (
            {"name": "refusal", "grants": [r"\d+\s*%"]},
            "Individuelle Rabatte geben wir grundsätzlich nicht; 50 % sind nicht möglich.",
            "50 % sind leider nicht möglich, aber 10 % gebe ich Ihnen.",
        ),
        (
            {"name": "refusal"},
            "Eine Gutschrift gibt es erst, wenn die Rücksendung eingegangen ist.",
            "Leider ist das unüblich, aus Kulanz schreiben wir Ihnen den Betrag gut.",
        ),
        (
            {"name": "regex", "pattern": r"\bleider\b"},
            "Das ist leider nicht möglich.",
            "Gern erledige ich das sofort.",
        ),
        (
            {"name": "regex", "pattern": r"\bpasswort lautet\b", "expect": "no_match"},
            "Bitte setzen Sie Ihr Passwort über 'Passwort vergessen' zurück.",
            "Ihr Passwort lautet geheim123.",
        ),
        (
            {"name": "numbered_list", "min_items": 3, "max_items": 3},
            "1. Formular ausfüllen\n2. Paket packen\n3. Paket abgeben",
            "1. Formular ausfüllen\n3. Paket abgeben",
        ),
        (
            {"name": "length", "max_sentences": 1, "min_words": 3},
            "Ja, wir versenden auch in die Schweiz.",
            "Ja. Wir versenden auch in die Schweiz. Die Lieferung dauert drei Tage.",
        ),
        (
            {"name": "length", "max_sentences": 2, "min_words": 3},
            "Das dauert i. d. R. bzw. z. B. bis zum 3. März. Danach erstatten wir zzgl. Versand.\nViele Grüße\nIhr",
            "Das dauert i. d. R. drei Tage. Danach erstatten wir. Der Versand ist frei.\nViele Grüße",
        ),
        (
            {"name": "length", "max_words": 3},
            "A-48213-DE",
            "Ihre Bestellnummer lautet A-48213-DE, wie Sie geschrieben haben.",
        ),
    ],
    ids=lambda value: value["name"] if isinstance(value, dict) else "",
)
def test_each_check_passes_a_right_reply_and_fails_a_wrong_one(check: dict, right: str, wrong: str) -> None:
    graded = case(check)
    assert grade(graded, right) == []
    assert grade(graded, wrong) == [check["name"]]


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("Sie haben dreißig Tage Zeit.", "30 Tage", True),
        ("bis 14.00 Uhr", "14 Uhr", True),
        ("am 14. Februar 2025", "14.02.2025", True),
        ("am 14.2.25", "14.02.2025", True),
        ("zwei Jahre Garantie", "24 Monate", True),
        ("zwei Wochen", "14 Tage", True),
        ("einen Monat", "30 Tage", False),
        ("innerhalb von 15 Werktagen", "5 Werktage", False),
        ("14,95 €", "4,95", False),
        ("4.95 EUR", "4,95 €", True),
        ("bis 1.000 €", "1000", True),
        ("am 19. Mai", "9. Mai", False),
    ],
)
def test_values_are_read_as_a_support_lead_reads_them(text: str, phrase: str, found: bool) -> None:
    assert mentions(tokens(text), tokens(phrase)) == found


def test_sentences_are_counted_past_abbreviations_and_without_the_sign_off() -> None:
    assert len(sentences("Das dauert i. d. R. bzw. z. B. bis zum 3. März, Nr. 5 inkl. Versand. Danke!")) == 2
    assert len(sentences("Das geht.\n\nMit freundlichen Grüßen\nIhr Kundenservice")) == 1
    assert len(sentences("Grüßen Sie Ihren Nachbarn. Das geht.")) == 2  # a greeting inside the answer counts


def test_contacts_must_come_from_the_policy_text_or_the_customer() -> None:
    policy = "Telefon: 0800 123 4567, service@beispiel-shop.de, https://beispiel-shop.de/retoure"
    graded = case({"name": "no_invented_contacts"}, context=policy, prompt="Ich bin jana@example.org.")
    assert grade(graded, "Rufen Sie uns unter 0800 123 4567 an oder schreiben Sie an service@beispiel-shop.de.") == []
    assert grade(graded, "Sie erreichen uns im Kundenkonto.") == []
    assert grade(graded, "Unter +49 800 1234567, www.beispiel-shop.de/retoure, an Jana@Example.org.") == []
    for invented in ("Rufen Sie 030 9876543 an.", "Schreiben Sie an hilfe@beispiel-shop.de.", "Siehe www.hilfe.de/faq"):
        assert grade(graded, invented) == ["no_invented_contacts"], invented


def test_every_case_says_whether_address_and_contacts_apply() -> None:
    graded = case({"name": "language", "language": "de"}, flags=True)
    assert grade(graded, "Sie schrieben: „Kannst du mir helfen?“ Gern helfe ich Ihnen weiter.") == []
    assert grade(graded, "Das Paket kommt morgen an, versprochen.") == []  # no du: the flag asks no more
    assert grade(graded, "Hast schon nachgesehen? Dein Paket kommt morgen an.") == ["formal_address"]
    assert grade(graded, "Rufen Sie bitte unsere Hotline unter 0221 555 0199 an.") == ["no_invented_contacts"]
    assert grade(case({"name": "language", "language": "de"}), "Dein Paket kommt morgen an.") == []
    for raw in read_cases(SHIPPED):
        assert raw.formal_address == (raw.category != "json"), raw.id  # JSON is read by a program
        assert raw.no_invented_contacts, raw.id


def agreement() -> dict[str, dict[str, list[bool]]]:
    """Per category and kind (plain, borderline): whether the checks agree with each label."""
    cases = {c.id: c for c in read_cases(SHIPPED)}
    table: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        graded = cases[row["case"]]
        table[graded.category][row["kind"]].append((grade(graded, row["reply"]) == []) == (row["label"] == "pass"))
    return table


def test_the_labelled_replies_cover_every_case_and_category_both_ways() -> None:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    cases = {c.id: c.category for c in read_cases(SHIPPED)}
    labels = {(row["case"], row["label"]) for row in rows}
    assert {(id, label) for id in cases for label in ("pass", "fail")} <= labels
    kinds = {(cases[row["case"]], row["kind"], row["label"]) for row in rows}
    assert kinds == {
        (c, k, label) for c in cases.values() for k in ("plain", "borderline") for label in ("pass", "fail")
    }


def test_the_checks_agree_with_a_support_lead() -> None:
    """At least 97% on plain good and bad replies and 85% on borderline ones, in every category
    (the table in docs/evaluation.md is this test's output with ``-s``)."""
    table = agreement()
    print("\n| category | plain | borderline |\n|---|---|---|")
    for category, kinds in sorted(table.items()):
        print(
            f"| `{category}` | "
            + " | ".join(f"{sum(kinds[k])}/{len(kinds[k])}" for k in ("plain", "borderline"))
            + " |"
        )
    for category, kinds in table.items():
        assert sum(kinds["plain"]) / len(kinds["plain"]) >= 0.97, category
        assert sum(kinds["borderline"]) / len(kinds["borderline"]) >= 0.85, category


def test_the_shipped_cases_are_at_least_sixty_german_cases_across_categories() -> None:
    cases = read_cases(SHIPPED)
    assert len(cases) >= 60 and len({c.id for c in cases}) == len(cases)
    categories = {c.category for c in cases}
    assert {"language", "formal_address", "extraction", "json", "list", "brevity", "refusal"} <= categories
    assert {"policy_facts", "contacts"} <= categories
    # Every policy-facts and contacts case carries the policy text it is graded against.
    assert all(c.context for c in cases if c.category in {"policy_facts", "contacts", "refusal"})


def test_summary_counts_cases_categories_and_checks() -> None:
    cases = [case({"name": "regex", "pattern": "a"}), case({"name": "regex", "pattern": "b"})]
    rows = [{"failed": []}, {"failed": ["regex"]}]
    summary = summarize(cases, rows)
    assert summary == {"cases": 2, "passed": 1, "score": 0.5, "categories": {"test": 0.5}, "checks": {"regex": 0.5}}
    flagged = [case({"name": "regex", "pattern": "a"}, flags=True)]
    assert set(summarize(flagged, [{"failed": []}])["checks"]) == {"regex", "formal_address", "no_invented_contacts"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "x1", "category": "c", "prompt": "p", "checks": [{"name": "regex", "pattern": "(["}]}',
            "row 2: case 'x1'.checks.0.pattern: not a regular expression",
        ),
        (
            '{"id": "x1", "category": "c", "prompt": "p", "checks": [{"name": "json", "json_schema": {"type": 5}}]}',
            "row 2: case 'x1'.checks.0.json_schema: not a JSON Schema",
        ),
        (
            '{"id": "x1", "category": "c", "prompt": "p", "checks": [{"name": "sentiment"}]}',
            "row 2: case 'x1'.checks.0.name: unknown check 'sentiment' (known: answer, contains, formal_address",
        ),
        (
            '{"id": "x1", "category": "c", "prompt": "p", "checks": []}',
            "row 2: case 'x1'.checks: List should have at least 1",
        ),
        (
            '{"id": "ok-1", "category": "c", "prompt": "p", "checks": [{"name": "formal_address"}]}',
            "row 2: field 'id': case 'ok-1' is also in cases.jsonl:1",
        ),
        (
            '{"id": "x1", "category": "c", "prompt": "p", "checks": [{"name": "regex", "pattern": "a"}]}',
            "row 2: case 'x1'.formal_address: Field required",
        ),
        ('{"id": "x1", "category": "c", "prompt": "p", checks: []}', "row 2: not valid JSON"),
    ],
    ids=["bad regex", "bad schema", "unknown check", "no checks", "duplicate id", "no address flag", "not JSON"],
)
def test_a_malformed_case_is_one_line_naming_file_row_and_case(tmp_path: Path, line: str, message: str) -> None:
    flags = {"formal_address": True, "no_invented_contacts": True}
    good = {"id": "ok-1", "category": "c", "prompt": "p", "checks": [{"name": "formal_address"}]} | flags
    if "formal_address:" not in message:  # every other line is whole but for its fault
        line = line.replace('"prompt": "p", ', '"prompt": "p", "formal_address": true, "no_invented_contacts": true, ')
    (tmp_path / "cases.jsonl").write_text(json.dumps(good) + "\n" + line + "\n")
    with pytest.raises(InputError) as raised:
        read_cases(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / 'cases.jsonl'}: {message}"), str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.slow  # the whole evaluate command, with its imports and MLflow store
def test_a_bad_case_file_stops_evaluate_before_a_model_loads(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "private.jsonl").write_text(
        '{"id": "p", "category": "c", "prompt": "p", "formal_address": true, "no_invented_contacts": true,'
        ' "checks": [{"name": "regex", "pattern": "("}]}\n'
    )
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["evaluate"]["models"] = {"m": "no-such-model"}
    params["evaluate"]["support"]["cases"] = str(tmp_path / "cases")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    result = run(
        ["lingualign", "evaluate", "--model", "m", "--test", "t.parquet", "--answers", "a.parquet"]
        + ["--replies", "r.parquet", "--pairs", "p.parquet", "--samples", "s.parquet", "--metrics", "m.json"]
        + ["--cache", "c"],
        cwd=tmp_path,
        check=False,
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("lingualign evaluate: error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr
    assert "private.jsonl: row 1: case 'p'.checks.0.pattern: not a regular expression" in result.stderr
