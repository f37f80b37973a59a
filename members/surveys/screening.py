"""Screening survey responses, as pure functions: bursts of responses that
look like ballot stuffing, and contact details in free-text comments.

Bursts. A business's responses arrive at its own pace; stuffing arrives all
at once. For each response we count the responses in the hour up to it
(itself included) and compare that count with what the business's busy
hours bring:

- busy rate: the 90th percentile of the business's responses per clock hour,
  over the hours that had any, in the 28 days before that hour, counting only
  responses that were not flagged themselves (so a burst does not teach the
  rule that bursts are normal). Per hour with responses rather than per hour
  of the day, so a shop open eight hours is compared with its opening hours;
  a high percentile rather than the mean, so a lunch rush is normal.
- expected = max(busy rate, a floor of 3 per hour) * 1 hour. The floor is
  what a new business's first day is judged against: it has no history, and
  12 customers answering the poster in the opening hour is a good day, not
  an attack.
- The hour is a burst when a Poisson count with that mean would reach the
  observed count with probability under one in a million, i.e. from 15
  responses in an hour at the floor, 46 for a business whose busy hours see
  20. Every response in a burst hour is flagged, and so is one arriving within
  the hour after it (timing cannot tell it from the burst); staff release the
  genuine ones.

A steady stuffer who stays under the threshold is not caught here; the rate
limits per network address and per business bound what it can add.

Contact details. E-mail addresses (also "name [at] domain [dot] com") and
phone numbers are masked in comments before the business sees them. A phone
number is any run of 7 or more digits, in any script (Latin, Urdu's
Extended Arabic-Indic, Arabic-Indic, Bengali), joined by at most three
spaces, dashes, dots, slashes or brackets at a time, with an optional
leading + or (: this covers +92 300 1234567, 0300-1234567, (042) 3576 1234,
+880 1712-345678, 01712345678, ০১৭১২-৩৪৫৬৭৮ and ۰۳۰۰-۱۲۳۴۵۶۷, and also
masks ID card and account numbers, which should not reach the business
either. Dates (12/05/2024, 2024-05-12) are left alone.
"""

import bisect
import math
import re
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BURST_WINDOW = timedelta(hours=1)
BURST_BASELINE = timedelta(days=28)
BURST_FLOOR_PER_HOUR = 3.0
BURST_BUSY_QUANTILE = 0.9
BURST_PROBABILITY = 1e-6


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0

    def pmf(j: int) -> float:
        return math.exp(j * math.log(mean) - mean - math.lgamma(j + 1))

    if count <= mean:
        return max(0.0, 1.0 - sum(pmf(j) for j in range(count)))
    # Summed from the count upwards: 1 - cdf would lose the tiny tails to rounding.
    term, total, j = pmf(count), 0.0, count
    while term > total * 1e-17:
        total += term
        j += 1
        term *= mean / j
    return min(total, 1.0)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def busy_rate(hourly: Counter[datetime], *, quantile: float = BURST_BUSY_QUANTILE) -> float:
    """The nearest-rank quantile of responses per clock hour, over the hours that had any."""
    counts = sorted(c for c in hourly.values() if c > 0)
    if not counts:
        return 0.0
    return float(counts[max(0, math.ceil(quantile * len(counts)) - 1)])


@dataclass(frozen=True)
class BurstCheck:
    count: int  # responses in the window
    expected: float  # what the business's busy hours bring in a window
    probability: float  # of reaching `count` by chance at that rate
    is_burst: bool


def _check(
    count: int, hourly: Counter[datetime], window: timedelta, floor_per_hour: float, probability: float
) -> BurstCheck:
    expected = max(busy_rate(hourly), floor_per_hour) * (window / timedelta(hours=1))
    chance = poisson_tail(count, expected)
    return BurstCheck(count, expected, chance, chance < probability)


def check_burst(
    count: int,
    history: Iterable[datetime],
    *,
    window: timedelta = BURST_WINDOW,
    floor_per_hour: float = BURST_FLOOR_PER_HOUR,
    probability: float = BURST_PROBABILITY,
) -> BurstCheck:
    """Are `count` responses in the window up to now a burst, given the business's
    accepted (unflagged) responses in the 28 days before the window?"""
    return _check(count, Counter(_hour(t) for t in history), window, floor_per_hour, probability)


def flag_bursts(
    timestamps: Sequence[datetime],
    *,
    window: timedelta = BURST_WINDOW,
    baseline: timedelta = BURST_BASELINE,
    floor_per_hour: float = BURST_FLOOR_PER_HOUR,
    probability: float = BURST_PROBABILITY,
) -> list[bool]:
    """For each timestamp (in the order given): is it part of a burst? Replays the
    arrivals in time order and checks each as it would be checked live, so a
    response in the hour after a burst is held too: timing alone cannot tell
    it from the burst."""
    order = sorted(range(len(timestamps)), key=lambda i: timestamps[i])
    times = [timestamps[i] for i in order]
    flagged = [False] * len(times)
    hourly: Counter[datetime] = Counter()  # accepted responses in the baseline, per clock hour
    accepted: deque[datetime] = deque()
    settled = 0  # times[:settled] are older than the window, their flags final
    for moment in times:
        window_start = moment - window
        # Only a response within one window after another can flag it, so
        # once a response is older than the window its flag no longer changes.
        while times[settled] <= window_start:
            if not flagged[settled]:
                accepted.append(times[settled])
                hourly[_hour(times[settled])] += 1
            settled += 1
        while accepted and accepted[0] <= window_start - baseline:
            hour = _hour(accepted.popleft())
            hourly[hour] -= 1
            if not hourly[hour]:
                del hourly[hour]
        # Responses at the same instant count together, whichever comes first in the list.
        first, last = bisect.bisect_right(times, window_start), bisect.bisect_right(times, moment)
        if _check(last - first, hourly, window, floor_per_hour, probability).is_burst:
            flagged[first:last] = [True] * (last - first)
    result = [False] * len(timestamps)
    for position, index in enumerate(order):
        result[index] = flagged[position]
    return result


# -- contact details in comments ----------------------------------------------------------

EMAIL_MASK = "•••@•••"
PHONE_MASK = "•••••••"
MIN_PHONE_DIGITS = 7

# \w leaves out the combining marks Urdu and Bengali words carry.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u0981-\u0983\u09bc-\u09d7"
_EMAIL = re.compile(
    rf"[\w.+\-{_MARKS}]+"
    r"\s?(?:@|\[at\]|\(at\))\s?"
    rf"[\w\-{_MARKS}]+(?:(?:\.|\s?\[dot\]\s?|\s?\(dot\)\s?)[\w\-{_MARKS}]+)+",
    re.IGNORECASE,
)
# Between digits: spaces (no line breaks), dashes and hyphens of every kind,
# dots, slashes, brackets, and the invisible direction marks RTL text carries.
_SEPARATOR = r"[ \t\u00a0\u2007-\u200a\u202f\-\u2010-\u2015\u2212./()\u200b-\u200f\u2060]"
_PHONE = re.compile(rf"(?:\+|\(\+?)?\d(?:{_SEPARATOR}{{0,3}}\d)+")
_DATE = re.compile(r"(?<!\d)(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?!\d)")


def _is_date(match: re.Match[str]) -> bool:
    first, middle, last = (int(match.group(g)) for g in (1, 3, 4))
    lengths = (len(match.group(1)), len(match.group(4)))
    if lengths[0] == 4 and lengths[1] <= 2:  # 2024-05-12
        return 1 <= middle <= 12 and 1 <= last <= 31
    if lengths[0] <= 2 and lengths[1] in (2, 4):  # 12/05/2024, 05/12/24
        return 1 <= min(first, middle) <= 12 and max(first, middle) <= 31
    return False


@dataclass(frozen=True)
class Screened:
    text: str
    emails: int
    phones: int

    @property
    def masked(self) -> bool:
        return bool(self.emails or self.phones)


def mask_contacts(text: str, *, email_mask: str = EMAIL_MASK, phone_mask: str = PHONE_MASK) -> Screened:
    """The comment with e-mail addresses and phone numbers masked, and how many of each."""
    emails = phones = 0

    def mask_email(match: re.Match[str]) -> str:
        nonlocal emails
        top_level = re.split(r"\.|\[dot\]|\(dot\)", match.group(0), flags=re.IGNORECASE)[-1]
        if not any(ch.isalpha() for ch in top_level):  # "5@3.5" is a rating, not an address
            return match.group(0)
        emails += 1
        return email_mask

    def mask_phone(match: re.Match[str]) -> str:
        nonlocal phones
        found = match.group(0)
        if sum(ch.isdecimal() for ch in found) < MIN_PHONE_DIGITS:
            return found
        phones += 1
        # "(0300 1234567)": keep an opening bracket the number does not close.
        return "(" + phone_mask if found.startswith("(") and ")" not in found else phone_mask

    text = _EMAIL.sub(mask_email, text)
    # Phone numbers are looked for between dates, so that a date's digits
    # neither make a number nor join two numbers into one.
    pieces, start = [], 0
    for date in (m for m in _DATE.finditer(text) if _is_date(m)):
        pieces += [_PHONE.sub(mask_phone, text[start : date.start()]), date.group(0)]
        start = date.end()
    pieces.append(_PHONE.sub(mask_phone, text[start:]))
    return Screened("".join(pieces), emails, phones)
