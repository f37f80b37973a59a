"""Reading a customer's answers from the survey form's POST: every item
rated in every column the format asks, the standard questions answered,
the importance split (when asked, and given) adding up to 100. A partial
response is refused naming what is missing."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from associations.models import Dimension

from ..models import Instrument, SurveyItem

SCALE = range(1, 8)
COMMENT_MAX = 2000
# The honeypot: a field people never see (hidden by CSS, out of the tab
# order); a bot filling every field fills it.
HONEYPOT = "website"


def columns(instrument: Instrument) -> tuple[str, ...]:
    """The POST prefixes of an item's ratings, in the order they are asked."""
    return ("a", "d", "p") if instrument.three_column else ("e", "p")


@dataclass
class Answers:
    ratings: dict[str, dict[int, int]] = field(default_factory=dict)  # column -> item number -> 1..7
    importance: dict[str, int] = field(default_factory=dict)
    csat: int | None = None
    nps: int | None = None
    fcr: bool | None = None
    comment: str = ""


@dataclass
class Problems:
    missing: list[str] = field(default_factory=list)  # "Q3" codes, in order
    errors: dict[str, str] = field(default_factory=dict)  # POST name -> message

    def __bool__(self) -> bool:
        return bool(self.missing or self.errors)

    @property
    def summary(self) -> str:
        parts = []
        if self.missing:
            parts.append(_("Please answer: %(items)s.") % {"items": ", ".join(self.missing)})
        parts += list(self.errors.values())
        return " ".join(parts)


def _integer(value: str | None, allowed: range) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number in allowed else None


def read_answers(
    instrument: Instrument, items: Sequence[SurveyItem], data: Mapping[str, str]
) -> tuple[Answers, Problems]:
    answers, problems = Answers(), Problems()
    for column in columns(instrument):
        answers.ratings[column] = {}
    for item in items:
        for column in columns(instrument):
            rating = _integer(data.get(f"{column}{item.number}"), SCALE)
            if rating is None:
                if item.code not in problems.missing:
                    problems.missing.append(item.code)
                problems.errors.setdefault(f"{column}{item.number}", "")
            else:
                answers.ratings[column][item.number] = rating
    problems.errors = {name: message for name, message in problems.errors.items() if message}
    _standard_questions(instrument, data, answers, problems)
    if instrument.importance_split:
        _importance(data, answers, problems)
    answers.comment = (data.get("comment") or "").strip()[:COMMENT_MAX] if instrument.ask_comment else ""
    return answers, problems


def _standard_questions(
    instrument: Instrument, data: Mapping[str, str], answers: Answers, problems: Problems
):
    if instrument.ask_csat:
        answers.csat = _integer(data.get("csat"), range(1, 6))
        if answers.csat is None:
            problems.missing.append(_("overall satisfaction"))
    if instrument.ask_nps:
        answers.nps = _integer(data.get("nps"), range(0, 11))
        if answers.nps is None:
            problems.missing.append(_("likelihood to recommend"))
    if instrument.ask_fcr:
        answers.fcr = {"yes": True, "no": False}.get(data.get("fcr") or "")
        if answers.fcr is None:
            problems.missing.append(_("resolved on first contact"))


def _importance(data: Mapping[str, str], answers: Answers, problems: Problems) -> None:
    """Optional; when given, whole points for every dimension adding up to 100."""
    given = {d: (data.get(f"imp_{d}") or "").strip() for d in Dimension.values}
    if not any(given.values()):
        return
    points = {d: _integer(v or "0", range(0, 101)) for d, v in given.items()}
    if any(p is None for p in points.values()) or sum(points.values()) != 100:
        problems.errors["importance"] = _("The importance points must be whole numbers adding up to 100.")
        return
    answers.importance = points
