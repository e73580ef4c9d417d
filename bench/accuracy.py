"""Extraction accuracy: `jikenbo parse` scored against labelled disclosures.

    .venv/bin/python bench/accuracy.py [FILE.jsonl …] [--errors] [--json]

Each FILE holds labelled rows in the corpus format (see
`tests/fixtures/corpus/README.md`; default: the development corpus
`tests/fixtures/corpus/dev.jsonl`). Every row's text goes through the code of
`jikenbo parse` (`document_post` + `incidents_from_post`); the predictions
are scored with the corpus rules, which this module implements once:

- Pairing, per text: each labelled incident takes the unused prediction with
  the same case id, else the one whose organisation is most similar (names
  compared after NFKC with whitespace and legal forms removed); a text whose
  only incident has no case id pairs with any single prediction. Unpaired
  labels are missed incidents (wrong on every field they have); unpaired
  predictions are extra incidents. Split F1 comes from these counts;
  negatives must give no incident.
- Organisation and date: exact, where the label has a value. Case id and
  affected count: exact on every labelled incident (a number where the label
  says null is wrong). Sector: where labelled; a list means either is right.
- Incident types: micro-F1 where labelled. Data types: micro-F1 after mapping
  synonyms to the vocabulary, a prediction counting when one contains the
  other. Vendors: micro-F1, names compared as organisations are.

The table has one row for jikenbo and one for a header-only baseline (the
15-line regex of issue 10: a 【セキュリティ事件簿】 header gives case id,
first word and trailing date; any other text one incident with nothing), per
text kind (news, release, blog, aggregator) and overall. `--errors` lists
every wrong field, for finding the next rule to fix.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas import taxonomies  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "fixtures" / "corpus" / "dev.jsonl"
FIELDS = ("split", "org", "date", "case_id", "sector", "types", "count", "data_types", "vendors")
KINDS = ("news", "release", "blog", "aggregator", "negative")

# The scorer's own list, independent of the parser's: comparing names must not
# depend on the code under test.
_LEGAL_FORMS = sorted((
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "公益社団法人", "一般財団法人",
    "公益財団法人", "社会福祉法人", "社会医療法人", "医療法人社団", "医療法人財団", "医療法人", "学校法人",
    "国立大学法人", "公立大学法人", "独立行政法人", "地方独立行政法人", "国立研究開発法人", "特定非営利活動法人",
    "NPO法人", "宗教法人", "(株)", "(有)", "Inc.", "Co.,Ltd.", "Co., Ltd.", "Ltd.",
), key=len, reverse=True)
_LEGAL_RE = re.compile("|".join(re.escape(unicodedata.normalize("NFKC", form)) for form in _LEGAL_FORMS))
# Data-type synonyms for scoring (README: 氏名 ≈ 名前 ≈ フリガナ, 電話 ≈ 電話番号 …).
_DATA_SYNONYMS = {
    "氏名": ("名前", "お名前", "フリガナ", "ふりがな", "よみがな", "氏名(カナ)", "カナ氏名", "担当者名", "名義"),
    "住所": ("所在地", "ご住所", "現住所", "お届け先住所"),
    "電話番号": ("電話", "携帯電話番号", "連絡先電話番号", "TEL"),
    "メールアドレス": ("メアド", "Eメールアドレス", "e-mailアドレス", "メール アドレス"),
    "勤務先": ("所属先", "所属組織", "会社名", "勤務先名", "企業名"),
    "職業": ("職種",),
    "クレジットカード情報": ("カード情報", "クレジットカード番号", "カード番号", "有効期限", "セキュリティコード"),
    "医療情報": ("病名", "診療情報", "カルテ", "病歴", "疾患名", "検査結果", "投薬内容"),
    "口座情報": ("口座番号", "銀行口座"),
    "購入履歴": ("注文履歴", "購買履歴", "注文情報"),
    "画像": ("写真", "顔写真"),
    "マイナンバー": ("個人番号",),
}
_DATA_CANON = {unicodedata.normalize("NFKC", alias): canon for canon, aliases in _DATA_SYNONYMS.items() for alias in aliases}


def normalise_name(name: str | None) -> str:
    """A name as the scorer compares it: NFKC, no whitespace, no legal forms."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    text = _LEGAL_RE.sub("", text)
    return "".join(text.split())


def _data_key(item: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", item).split())
    return _DATA_CANON.get(text, text)


def text_kind(row: dict[str, Any]) -> str:
    """news | release | blog | aggregator | negative, from the row's labels."""
    if not row.get("is_incident_post"):
        return "negative"
    if row.get("source") == "b-son":
        return "blog"
    kind = row.get("other_kind") or ""
    return {"original_release": "release", "quoted_release": "release"}.get(kind, kind or "news")


@dataclass
class Tally:
    """Right/total for exact fields and TP/FP/FN for set fields and the split."""

    right: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def exact(self, name: str, ok: bool) -> None:
        self.total[name] += 1
        self.right[name] += ok

    def score(self, name: str) -> float | None:
        if name in ("split", "types", "data_types", "vendors"):
            denominator = 2 * self.tp[name] + self.fp[name] + self.fn[name]
            return 2 * self.tp[name] / denominator if denominator else None
        return self.right[name] / self.total[name] if self.total[name] else None

    def add(self, other: "Tally") -> None:
        for mine, theirs in ((self.right, other.right), (self.total, other.total), (self.tp, other.tp),
                             (self.fp, other.fp), (self.fn, other.fn)):
            mine.update(theirs)


@dataclass
class Prediction:
    """The fields of one predicted incident, in the corpus's vocabulary."""

    case_id: str | None
    organisation: str | None
    date: str | None
    sector: str | None
    types: list[str]
    count: int | None
    data_types: list[str]
    vendors: list[str]


def _pair(labels: list[dict[str, Any]], predictions: list[Prediction]) -> list[tuple[dict[str, Any], Prediction | None]]:
    used: set[int] = set()
    pairs: list[tuple[dict[str, Any], Prediction | None]] = []
    single = len(labels) == 1 and not labels[0].get("case_id") and len(predictions) == 1
    for label in labels:
        choice = None
        if single:
            choice = 0
        if choice is None and label.get("case_id"):
            choice = next((i for i, p in enumerate(predictions) if i not in used and p.case_id == label["case_id"]), None)
        if choice is None:
            wanted = normalise_name(label.get("organisation"))
            best = -1.0
            for index, prediction in enumerate(predictions):
                if index in used:
                    continue
                similarity = difflib.SequenceMatcher(None, wanted, normalise_name(prediction.organisation)).ratio() \
                    if wanted else 0.0
                if similarity > best:
                    best, choice = similarity, index
        if choice is not None:
            used.add(choice)
        pairs.append((label, predictions[choice] if choice is not None else None))
    return pairs


def _set_score(tally: Tally, name: str, wanted: Iterable[str], got: Iterable[str],
               same: Callable[[str, str], bool]) -> None:
    remaining = list(got)
    for item in wanted:
        match = next((i for i, candidate in enumerate(remaining) if same(item, candidate)), None)
        if match is None:
            tally.fn[name] += 1
        else:
            tally.tp[name] += 1
            remaining.pop(match)
    tally.fp[name] += len(remaining)


def _same_data(label: str, predicted: str) -> bool:
    a, b = _data_key(label), _data_key(predicted)
    return a == b or (bool(a) and bool(b) and (a in b or b in a))


def _same_name(label: str, predicted: str) -> bool:
    return normalise_name(label) == normalise_name(predicted)


def score_text(row: dict[str, Any], predictions: list[Prediction], errors: list[str] | None = None) -> Tally:
    """The tally of one labelled row against its predictions."""
    tally = Tally()
    labels = row.get("incidents") or []
    pairs = _pair(labels, predictions)
    paired = sum(1 for _, p in pairs if p is not None)
    tally.tp["split"] += paired
    tally.fn["split"] += len(labels) - paired
    tally.fp["split"] += len(predictions) - paired
    if errors is not None and len(predictions) != len(labels):
        errors.append(f"split: {len(labels)} labelled, {len(predictions)} predicted")
    for label, prediction in pairs:
        def note(name: str, want: Any, got: Any) -> None:
            if errors is not None:
                errors.append(f"{name}: want {want!r} got {got!r}  [{label.get('organisation')}]")

        missing = prediction is None
        if label.get("organisation"):
            got = None if missing else prediction.organisation
            ok = not missing and normalise_name(label["organisation"]) == normalise_name(got)
            tally.exact("org", ok)
            ok or note("org", label["organisation"], got)
        if label.get("date"):
            got = None if missing else prediction.date
            tally.exact("date", got == label["date"])
            got == label["date"] or note("date", label["date"], got)
        got = None if missing else prediction.case_id
        tally.exact("case_id", not missing and got == label.get("case_id"))
        if not missing and got != label.get("case_id"):
            note("case_id", label.get("case_id"), got)
        sector = label.get("sector")
        if sector:
            allowed = sector if isinstance(sector, list) else [sector]
            got = None if missing else prediction.sector
            tally.exact("sector", got in allowed)
            got in allowed or note("sector", sector, got)
        got = None if missing else prediction.count
        tally.exact("count", not missing and got == label.get("affected_count"))
        if not missing and got != label.get("affected_count"):
            note("count", label.get("affected_count"), got)
        if label.get("incident_types") is not None:
            predicted = [] if missing else prediction.types
            _set_score(tally, "types", label["incident_types"], predicted, str.__eq__)
            if not missing and set(label["incident_types"]) != set(predicted):
                note("types", label["incident_types"], predicted)
        predicted = [] if missing else prediction.data_types
        before = (tally.fp["data_types"], tally.fn["data_types"])
        _set_score(tally, "data_types", label.get("data_types") or [], predicted, _same_data)
        if not missing and before != (tally.fp["data_types"], tally.fn["data_types"]):
            note("data_types", label.get("data_types"), predicted)
        predicted = [] if missing else prediction.vendors
        before = (tally.fp["vendors"], tally.fn["vendors"])
        _set_score(tally, "vendors", label.get("vendors") or [], predicted, _same_name)
        if not missing and before != (tally.fp["vendors"], tally.fn["vendors"]):
            note("vendors", label.get("vendors"), predicted)
    return tally


def jikenbo_predictions(text: str) -> list[Prediction]:
    """What `jikenbo parse` prints for one text, in the corpus's vocabulary."""
    from services.parser.handling import incidents_from_post
    from schemas.raw_post import document_post

    labels = taxonomies()
    out = []
    for incident in incidents_from_post(document_post("corpus.txt", text)):
        if incident.get("kind", "incident") != "incident":
            continue
        out.append(Prediction(
            case_id=incident.get("case_id"),
            organisation=incident.get("organization"),
            date=incident.get("disclosed_on"),
            sector=labels["sectors"].get(incident.get("sector")),
            types=[labels["incident_types"][code] for code in incident.get("incident_types") or []],
            count=(incident.get("affected") or {}).get("count"),
            data_types=list(incident.get("data_types") or []),
            vendors=list(incident.get("vendors") or []),
        ))
    return out


_BASE_HEADER = re.compile(r"^【セキュリティ事件簿#(\d{4})-(\d{1,4})】\s*(\S+)(.*)$", re.MULTILINE)
_BASE_DATE = re.compile(r"(\d{4})[/年](\d{1,2})[/月](\d{1,2})日?\s*$")


def baseline_predictions(text: str) -> list[Prediction]:
    """The header-only regex: one incident per 【セキュリティ事件簿#…】 header, else one per text."""
    text = unicodedata.normalize("NFKC", text)
    headers = list(_BASE_HEADER.finditer(text))
    if not headers:
        return [Prediction(None, None, None, None, [], None, [], [])]
    out = []
    for match in headers:
        date = _BASE_DATE.search(match.group(4))
        iso = f"{date.group(1)}-{int(date.group(2)):02d}-{int(date.group(3)):02d}" if date else None
        out.append(Prediction(f"{match.group(1)}-{int(match.group(2)):03d}", match.group(3), iso, None, [], None, [], []))
    return out


def evaluate(rows: list[dict[str, Any]], predict: Callable[[str], list[Prediction]],
             errors: dict[int, list[str]] | None = None) -> dict[str, Tally]:
    """Tallies per text kind and overall ("all")."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for index, row in enumerate(rows):
        found: list[str] | None = [] if errors is not None else None
        tally = score_text(row, predict(row["text"]), found)
        tallies[text_kind(row)].add(tally)
        tallies["all"].add(tally)
        if errors is not None and found:
            errors[index] = found
    return tallies


def load_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


# Fields the baseline does not try: shown as "–" like in issue 10, not as 0.
_NOT_PREDICTED = {"header-only baseline": ("sector", "types", "data_types", "vendors")}


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(results: dict[str, dict[str, Tally]], counts: Counter[str]) -> str:
    """A Markdown table: one row per (system, kind)."""
    lines = ["| system | kind | texts | " + " | ".join(FIELDS) + " |", "|---|---|---|" + "---|" * len(FIELDS)]
    for system, tallies in results.items():
        for kind in ("all", *KINDS):
            if kind not in tallies:
                continue
            if system == "header-only baseline" and kind != "all":
                continue
            cells = [_cell(None if name in _NOT_PREDICTED.get(system, ()) else tallies[kind].score(name)) for name in FIELDS]
            lines.append(f"| {system} | {kind} | {counts[kind]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help=f"labelled JSON Lines (default: {DEFAULT_CORPUS.relative_to(ROOT)})")
    parser.add_argument("--errors", action="store_true", help="list every wrong field of every text")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON instead of a table")
    args = parser.parse_args(argv)
    rows = load_rows(args.files or [DEFAULT_CORPUS])
    counts: Counter[str] = Counter(text_kind(row) for row in rows)
    counts["all"] = len(rows)
    errors: dict[int, list[str]] | None = {} if args.errors else None
    results = {"jikenbo": evaluate(rows, jikenbo_predictions, errors),
               "header-only baseline": evaluate(rows, baseline_predictions)}
    if args.json:
        print(json.dumps({system: {kind: {name: tally.score(name) for name in FIELDS} for kind, tally in tallies.items()}
                          for system, tallies in results.items()}, ensure_ascii=False, indent=1))
    else:
        incidents = sum(len(row.get("incidents") or []) for row in rows)
        print(f"{len(rows)} texts, {incidents} labelled incidents")
        print(table(results, counts))
    if errors:
        wrong: Counter[str] = Counter()
        for index, found in sorted(errors.items()):
            row = rows[index]
            print(f"\n#{index} [{text_kind(row)}] {row.get('url', '')[:100]}")
            for line in found:
                print("   ", line)
                wrong[line.split(":", 1)[0]] += 1
        print("\nwrong fields:", dict(wrong.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
