"""Is a text without a blog header the disclosure of an incident, or a report of one?

A news report ("平塚市は…懲戒処分にしました"), an organisation's release and an
aggregator's summary all state that something happened (an *event* cue:
流出した, 不正アクセスを受け, 紛失し …) and who says so (a *report* cue:
発表した, 明らかにしました, お詫び申し上げ …), often in the voice of the body
concerned (当社, 本市, ご迷惑). Advisories about impersonation, seminars,
product news, statistics, policies and essays speak otherwise. The cues and
their weights are data (``data/disclosure_cues.toml``); the verdict lists the
cues it counted, so a wrong call shows its reason.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from services.parser.patterns import compile_alternatives
from services.parser.resources import data

_CHARS = 1500  # the opening of a text says what it is; the rest adds time, not evidence
_CAP = 3  # distinct cues counted per group


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text reports an incident, with the cues that decided."""

    incident: bool
    score: int
    cues: tuple[str, ...]

    @property
    def reason(self) -> str:
        shown = ", ".join(self.cues[:8]) or "no cues"
        return f"score {self.score} ({shown})"


@functools.cache
def _groups() -> tuple[int, list[tuple[str, int, re.Pattern[str]]]]:
    table = data("disclosure_cues")
    groups = []
    for side, sign in (("incident", 1), ("non_incident", -1)):
        for name, spec in table[side].items():
            pattern = compile_alternatives(spec["cues"], re.MULTILINE)
            groups.append((f"{'' if sign > 0 else 'not '}{name}", sign * int(spec["weight"]), pattern))
    return int(table["threshold"]), groups


# An event in a conditional or a warning did not happen: "感染すると…被害が発生する
#可能性があります", "万が一カード情報が盗まれていた場合にそなえ".
_CONDITIONAL = re.compile(r"(?:する|される)と(?!(?:発表|公表|明らかに|説明|話|述べ|報告|通知|連絡|決め|決定|いう|の))|ると、"
                          r"|た場合|る場合|場合には|場合は|場合に|万が一|万一|もし|ないよう|防止|防ぐ|に備え|にそなえ")
_NOT_PAST = re.compile(r"(?:する|される|しうる|し得る|できる)(?:可能性|おそれ|恐れ|ことが)")


def _hypothetical(text: str, start: int, end: int) -> bool:
    """True when the sentence around text[start:end] states a condition or a risk, not a fact."""
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    right = len(text)
    for mark in ("。", "\n"):
        position = text.find(mark, end)
        if position >= 0:
            right = min(right, position)
    sentence = text[left:right]
    return bool(_CONDITIONAL.search(sentence)) or bool(_NOT_PAST.search(text, end, min(right, end + 30)))


def event_cue(sentence: str) -> str | None:
    """The first event cue stated as a fact in `sentence` (漏えいした, 不正アクセスを受け …), if any."""
    _, groups = _groups()
    for name, _, pattern in groups:
        if name != "event":
            continue
        for match in pattern.finditer(sentence):
            if not _hypothetical(sentence, match.start(), match.end()):
                return match.group()
    return None


def judge(text: str) -> Verdict:
    """The verdict for one header-less text (see module docstring).

    Lure cues (を装った, を名乗る) weigh against a text only while it states at most one
    event: a warning about spoofed mail tells of the spoofing alone, while a breach report
    tells of the intrusion and the leak, and of the phishing the attackers sent (を装ったメール)."""
    threshold, groups = _groups()
    window = text[:_CHARS]
    found: list[tuple[str, int, list[str]]] = []
    for name, weight, pattern in groups:
        seen: list[str] = []
        for match in pattern.finditer(window):
            if name == "event" and _hypothetical(window, match.start(), match.end()):
                continue
            if match.group() not in seen:
                seen.append(match.group())
                if len(seen) >= _CAP:
                    break
        if seen:
            found.append((name, weight, seen))
    events = sum(len(seen) for name, _, seen in found if name == "event")
    score = 0
    cues: list[str] = []
    for name, weight, seen in found:
        if name == "not lure" and events >= 2:
            continue
        score += weight * len(seen)
        cues.extend(f"{name}: {cue}" for cue in seen)
    return Verdict(events > 0 and score >= threshold, score, tuple(cues))
