"""Personal data out of ticket text before any other stage sees it: typed, stable placeholders.

A conversation (one ticket: its system prompt, message and replies) is scrubbed as a whole, so the
same value gets the same placeholder in every text of it (``[EMAIL_1]``, ``[NAME_2]``, ...) and a
name found in a reply's signature is also replaced where the customer's message repeats it.

Kinds and how each is found (German ticket text first, English greetings too):

- ``email``: the address pattern;
- ``iban``: text with an IBAN's country code, length and format (python-stdnum), even where a typo
  breaks its check digits;
- ``card``: 13-19 digits, grouped by spaces or dashes, that pass the Luhn check (python-stdnum);
- ``customer_id`` and ``order_id``: a number after its keyword (Kundennummer, Bestellung,
  Rechnungsnummer, Retourennummer, Sendungsnummer, ...), and the numbers listed after it; and
  anywhere, the shop's own number ``formats`` (regular expressions);
- ``phone``: what Google's libphonenumber (``phonenumbers``) matches as a *valid* number, national
  numbers read for ``region``;
- ``address``: a street with its house number (and the postcode and town that follow it);
- ``name``: the person named in a greeting ("Sehr geehrte Frau Keller", "Hallo Jana,"), a
  signature (the name line after "Mit freundlichen Grüßen"), or an introduction ("Mein Name ist
  ..."), then every other mention of that name in the conversation.

Values on the ``allow`` list (the shop's own hotline and service addresses, which the policy
texts legitimately contain) are kept as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from lingualign.settings import Settings

Kind = Literal["email", "iban", "card", "customer_id", "order_id", "phone", "address", "name"]
KINDS: tuple[Kind, ...] = ("email", "iban", "card", "customer_id", "order_id", "phone", "address", "name")


class ScrubSettings(Settings):
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS), description="What to replace")
    allow: list[str] = Field(
        default_factory=list, description="Values kept as they are: the shop's own hotline, addresses"
    )
    region: str = Field(
        default="DE", pattern=r"^[A-Z]{2}$", description="Country whose national phone numbers are read"
    )
    formats: dict[Literal["customer_id", "order_id"], list[str]] = Field(
        default_factory=dict, description="The shop's own number formats (regular expressions), found anywhere"
    )

    @field_validator("formats")
    @classmethod
    def _compiles(cls, formats: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind, patterns in formats.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"{kind}: {pattern!r} is not a regular expression: {exc}") from None
        return formats


@dataclass(frozen=True)
class Found:
    kind: Kind
    start: int
    end: int

    def value(self, text: str) -> str:
        return text[self.start : self.end]


# ---------------------------------------------------------------- finders (one per kind)

_EMAIL = re.compile(r"[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})")  # libphonenumber reads "05.12.2025" as a number
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_ID = r"(?=[A-Z0-9/-]*\d{3})[A-Z]{0,5}[#-]?[A-Z0-9]+(?:[-/][A-Z0-9]+)*(?![.,]\d)\b"
_ID_LINK = r"[\s:#]*(?:(?i:Nr\.?|Nummer|No\.?|number|ID|ist|lautet|is|mit der (?:Nr\.|Nummer))[\s:#]*)?"
_ID_LIST = rf"(?P<ids>{_ID}(?:(?:\s*,\s*|\s+(?:und|sowie|and|&)\s+)#?{_ID})*)"
_CUSTOMER_ID = re.compile(
    r"\b(?i:Kunden(?:nummer|-?nr\.?|-?ID|konto(?:nummer)?)|Kd\.?-?Nr\.?|customer (?:number|ID|no\.?)"
    r"|Vertragsnummer)" + _ID_LINK + _ID_LIST
)
_ORDER_ID = re.compile(
    r"\b(?i:Bestell(?:ung(?:en)?|nummer|-?nr\.?)|Auftrag(?:s(?:nummer|-?nr\.?))?|Order(?: number| ID| no\.?)?"
    r"|Rechnung(?:snummer|s-?nr\.?)?|Retoure(?:nnummer|n-?nr\.?)?|Rücksendung(?:snummer)?|Sendungsnummer"
    r"|Ticket(?:nummer)?)" + _ID_LINK + _ID_LIST
)
_STREET_TYPES = r"straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|markt|graben|stieg|kamp"
_HOUSE = r"\s+\d{1,4}(?:\s?[a-z]\b)?(?:\s?[-/]\s?\d{1,4}[a-z]?)?\b"
_TOWN = r"(?:D-)?\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+(?:[ -](?:am|an der|im|in der)\s+[A-ZÄÖÜ][a-zäöüß]+)?"
_TOWN_AFTER = rf"(?:,\s*|[ \t]*\n\s*|\s+(?:in\s+)?){_TOWN}"
_ADDRESS = re.compile(
    # "Lindenstraße 12", "Berliner Str. 5a", "Karl-Marx-Allee 90", each with the postcode and town after it
    r"\b(?:[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*[ -])?"
    rf"[A-ZÄÖÜ]?[a-zäöüß]*(?i:{_STREET_TYPES})(?<=[a-zäöüß.]){_HOUSE}(?:{_TOWN_AFTER})?"
    # "Am Lindenhof 4, 50667 Köln": a street without a street word only with its postcode and town
    rf"|\b(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Zum|Zur)\s+[A-ZÄÖÜ][a-zäöüß]+{_HOUSE}{_TOWN_AFTER}"
)
_NAME = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
_PARTICLE = r"(?:(?:von|van|de|zu|der)[ ])"
_NAMES = rf"(?P<name>(?:[A-ZÄÖÜ]\.[ ]?)?{_PARTICLE}?{_NAME}(?:[ ]{_PARTICLE}*{_NAME}){{0,2}})"
_TITLE = r"(?:(?:Frau|Herrn?|Fr\.|Hr\.|Mr\.?|Mrs\.?|Ms\.?)\s+)"
_ACADEMIC = r"(?:(?:Dr\.|Prof\.)\s*)*"
_GREETING = re.compile(
    r"(?m)^[ \t]*(?:Sehr geehrte[rs]?|Liebe[rs]?|Hallo|Hi|Hey|Guten (?:Tag|Morgen|Abend)|Moin|Servus|Grüß Gott"
    rf"|Dear|Hello)[ \t]+(?P<title>{_TITLE})?{_ACADEMIC}{_NAMES}(?P<end>[ \t]*(?:[,!:]|\r?$))?"
)
_CLOSING = (
    r"(?:Mit (?:den )?(?:freundlichen|besten|herzlichen) Grüßen|(?:Viele|Beste|Liebe|Herzliche|Freundliche|Schöne"
    r"|Sonnige|Viele liebe) Grüße|(?:Vielen )?Dank(?:e)?(?: dir| euch| schön| und (?:viele |beste )?Grüße)?|Dankeschön"
    r"|Gruß|Grüße|MfG|LG|VG"
    r"|Best regards|Kind regards|Regards|Best|Thanks|Thank you|Cheers)"
)
_SIGNATURE = re.compile(
    rf"(?m)^[ \t]*{_CLOSING}[ \t]*[,.!]?(?:[ \t]+|[ \t]*\r?\n\s*)(?:i\.\s?A\.\s*|i\.\s?V\.\s*)?{_ACADEMIC}"
    rf"{_NAMES}[ \t]*\r?$"
)
_LAST_LINE = re.compile(rf"\n\s*(?:[-–—][ \t]*)?{_ACADEMIC}(?P<name>{_NAME}(?:\s{_NAME}){{1,2}})[ \t]*\s*\Z")
_INTRODUCTION = re.compile(
    rf"\b(?i:mein Name ist|ich heiße|my name is|hier spricht)\s+{_TITLE}?{_NAMES}"
    r"(?=\s*(?:[,.;:!)]|$)|\s(?:und|aus|and)\b)"
    # "ich bin Frank Otto,", "Ich, Mehmet Aydin,": first and last name, or "ich bin Neukunde" would count
    rf"|\b(?i:ich bin|ich,|this is|hier ist)\s+{_TITLE}?(?P<full>{_NAME}[ ]{_NAME})(?=\s*[,.;:!)])"
)
_TITLED = re.compile(rf"\b(?:Frau|Herrn?)[ ]+{_ACADEMIC}(?P<name>{_PARTICLE}?{_NAME})")
# Capitalised words that stand where a name would, but name no person.
_NOT_NAMES = {
    "Team", "Kundenservice", "Kundendienst", "Support", "Service", "Damen", "Herren", "Shop", "Kunde", "Kundin",
    "Kunden", "Leute", "Ihr", "Ihre", "Euer", "Eure", "Dein", "Deine", "Sie", "Du", "Ihnen", "Alle", "Allerseits",
    "Zusammen", "Admin", "Frau", "Herr", "Herrn", "Morgen", "Tag", "Abend", "Everyone", "There", "All", "Again",
    "Mit", "Und", "Von", "Beispiel", "Hilfe", "Danke", "Gruß", "Grüße", "Kollege", "Kollegin", "Kollegen", "Zentrale",
    "Buchhaltung", "Versand", "Lager", "Retoure", "Abteilung", "Kundenbetreuung", "Bestellung", "Rechnung",
}  # fmt: skip
_NOT_NAME_PARTS = ("team", "service", "support", "shop", "kunden")
_PARTICLES = ("von", "van", "de", "zu", "der")


def _name_spans(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_GREETING, _SIGNATURE, _LAST_LINE, _INTRODUCTION, _TITLED):
        for match in pattern.finditer(text):
            if pattern is _GREETING and not (match.group("title") or match.group("end") is not None):
                continue  # "Hallo Lieferung kam nicht": without Frau/Herr, only a name closes the greeting
            start, end = match.span("full" if pattern is _INTRODUCTION and match.group("full") else "name")
            words = text[start:end].split()
            if any(word in _NOT_NAMES or any(part in word.lower() for part in _NOT_NAME_PARTS) for word in words):
                continue
            yield start, end


def _iban_spans(text: str) -> Iterator[tuple[int, int]]:
    from stdnum import iban

    for match in _IBAN.finditer(text):
        number = iban.compact(match.group())
        # a typo that breaks the check digits leaves someone's account: check the country's format alone
        if iban.is_valid(number[:2] + iban.calc_check_digits(number) + number[4:]):
            yield match.span()


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    from stdnum import luhn

    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield match.span()


def _phone_spans(text: str, region: str) -> Iterator[tuple[int, int]]:
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        if not _DATE.fullmatch(match.raw_string):
            yield match.start, match.end


def _id_spans(pattern: re.Pattern[str], formats: list[str], text: str) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text):
        yield match.span("ids")
    for own in formats:
        for match in re.finditer(rf"(?<![\w-])(?:{own})(?![\w-])", text):
            yield match.span()


def find(text: str, settings: ScrubSettings) -> list[Found]:
    """The personal data in ``text``, in text order, without overlaps (earlier kinds win)."""
    finders = {
        "email": lambda: (match.span() for match in _EMAIL.finditer(text)),
        "iban": lambda: _iban_spans(text),
        "card": lambda: _card_spans(text),
        "customer_id": lambda: _id_spans(_CUSTOMER_ID, settings.formats.get("customer_id", []), text),
        "order_id": lambda: _id_spans(_ORDER_ID, settings.formats.get("order_id", []), text),
        "phone": lambda: _phone_spans(text, settings.region),
        "address": lambda: (match.span() for match in _ADDRESS.finditer(text)),
        "name": lambda: _name_spans(text),
    }
    taken: list[Found] = []
    for kind in KINDS:
        if kind not in settings.kinds:
            continue
        for start, end in finders[kind]():
            if _allowed(text[start:end], settings):
                continue
            if all(end <= other.start or start >= other.end for other in taken):
                taken.append(Found(kind, start, end))
    return sorted(taken, key=lambda found: found.start)


def _allowed(value: str, settings: ScrubSettings) -> bool:
    """Whether ``value`` is (part of) a value on the allow list: "Musterweg 1" of the shop's address."""
    key = _key("", value)
    return any(key in _key("", allowed) for allowed in settings.allow)


def _key(kind: str, value: str) -> str:
    """What makes two mentions the same value: case, spacing and punctuation aside."""
    return kind + ":" + re.sub(r"[\W_]", "", value).lower()


# ---------------------------------------------------------------- one conversation


def scrub_conversation(texts: Sequence[str], settings: ScrubSettings) -> tuple[list[str], Counter[str]]:
    """``texts`` with their personal data replaced; the counts of replaced mentions by kind."""
    found = [find(text, settings) for text in texts]
    people = _people(texts, found) if "name" in settings.kinds else {}
    if people:
        found = [_with_mentions(text, spans, people, settings) for text, spans in zip(texts, found, strict=True)]
    placeholders: dict[str, str] = {}
    numbered: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    scrubbed = []
    for text, spans in zip(texts, found, strict=True):
        pieces, at = [], 0
        for span in spans:
            value = span.value(text)
            key = "name:" + people.get(value.split()[-1], "") if span.kind == "name" else _key(span.kind, value)
            if key not in placeholders:
                numbered[span.kind] += 1
                placeholders[key] = f"[{span.kind.upper()}_{numbered[span.kind]}]"
            pieces += [text[at : span.start], placeholders[key]]
            at = span.end
            counts[span.kind] += 1
        scrubbed.append("".join(pieces) + text[at:])
    return scrubbed, counts


def _people(texts: Sequence[str], found: Sequence[list[Found]]) -> dict[str, str]:
    """Each name part found in a greeting, signature or introduction -> its person's surname."""
    people: dict[str, str] = {}
    for text, spans in zip(texts, found, strict=True):
        for span in spans:
            if span.kind == "name":
                # particles and initials ("S. Fischer") are no name of their own elsewhere in the text
                words = [word for word in span.value(text).split() if word not in _PARTICLES and word[-1] != "."]
                for word in words:
                    people.setdefault(word, words[-1])
    return people


def _with_mentions(text: str, spans: list[Found], people: dict[str, str], settings: ScrubSettings) -> list[Found]:
    """``spans`` plus the other mentions in ``text`` of the names found anywhere in the conversation."""
    alternatives = "|".join(re.escape(name) for name in sorted(people, key=len, reverse=True))
    mention = re.compile(rf"(?<![\w-])(?:{alternatives})(?:\s(?:{alternatives}))*(?![\w-])")
    added = [
        Found("name", *match.span())
        for match in mention.finditer(text)
        if not _allowed(match.group(), settings)
        and all(match.end() <= other.start or match.start() >= other.end for other in spans)
    ]
    return sorted(spans + added, key=lambda found: found.start)
