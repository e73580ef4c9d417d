"""Posts written for these tests, in the style of the blog but not taken from the corpus.

They stand for the real posts the parser is judged on: each asserts every field,
so a rule fitted to the seed documents alone shows up here.
"""

from __future__ import annotations

import pytest

from services.parser.core import parse_post

HOSPITAL = """【セキュリティ事件簿#2025-201】みどり中央病院 ランサムウェア被害による電子カルテシステムの停止について 2025年4月3日

当院において、2025年3月28日未明、電子カルテシステムを含む院内サーバーがランサムウェアに感染し、
データが暗号化される被害が発生しました。
外部の専門機関による調査の結果、VPN装置を経由した第三者による不正アクセスを受けたものと判断しております。

1.被害の状況
電子カルテシステムにシステム障害が発生し、外来診療の受付を一時停止しております。
サーバー内には患者さまの氏名、生年月日、診療情報が保存されており、
約12万人分の情報が外部に流出した可能性を否定できない状況です。
現時点で情報の悪用は確認されておりません。

2.当院の対応
警察および個人情報保護委員会へ報告を行いました。
対象となる患者さまには個別にご連絡いたします。

3.再発防止策
外部接続の見直しとEDRの導入を進めてまいります。

患者さまならびに関係者の皆さまに多大なるご迷惑とご心配をおかけしておりますことを深くお詫び申し上げます。

リリース文アーカイブ
"""

UNIVERSITY = """【セキュリティ事件簿#2025-202】国立大学法人 東都大学 メール誤送信による個人情報の漏えいについて 2025年5月12日

このたび、本学大学院工学研究科において、学生へのメール誤送信が発生いたしました。

2025年5月8日、同研究科の教員が奨学金に関する案内を学生123名に送信する際、
本来BCCで送信すべきところを誤って宛先(TO)欄にメールアドレスを入力して送信したため、
受信者全員のメールアドレスが他の受信者に表示される状態となりました。

送信先の学生には事情を説明し、該当メールの削除を依頼いたしました。
現在のところ、二次被害の報告はございません。

今後は複数の学生に一斉送信する際は一斉配信システムを利用するなど、再発防止に努めてまいります。
関係者の皆様に多大なご迷惑をおかけしましたことを深くお詫び申し上げます。

出典:https://www.toto-u.ac.jp/news/2025/0512.html
"""

MUNICIPAL = """【セキュリティ事件簿#2025-203】みなと市 個人情報を含むUSBメモリの紛失について 2025年6月2日

みなと市市民課において、個人情報を含むUSBメモリを紛失する事案が発生しました。

1 概要
令和7年5月27日、市民課の職員が業務で使用していたUSBメモリを庁舎外に持ち出し、
帰宅途中に紛失したことが判明しました。
USBメモリには、住民票の写しの交付に関するデータが保存されていました。

2 紛失した情報
市民約三千人分の氏名、住所、生年月日

3 対応
所轄の警察署に遺失届を提出するとともに、周辺の捜索を行っておりますが、現在まで発見に至っておりません。
対象となる市民の皆様には、お詫びの文書を送付いたします。

市民の皆様に多大なご迷惑とご心配をおかけしましたことを、深くお詫び申し上げます。
"""

EC_SHOP = """【セキュリティ事件簿#2025-204】株式会社マルヤマ珈琲 当社オンラインショップへの不正アクセスによる個人情報漏えいに関するお詫びとお知らせ 2025年7月15日

このたび、当社が運営する「マルヤマ珈琲オンラインショップ」におきまして、第三者による不正アクセスを受け、
お客様のクレジットカード情報(2,345件)が漏洩した可能性があることが判明いたしました。

1.経緯
2025年4月10日、一部のクレジットカード会社から、当社サイトを利用したお客様のクレジットカード情報の漏洩懸念について連絡を受けました。
第三者調査機関による調査の結果、当社サイトのシステムの一部の脆弱性をついたことによる第三者の不正アクセスにより、
ペイメントアプリケーションの改ざんが行われたため、と判明いたしました。
当社サイトの保守は委託先である株式会社ネットウィーブ東海が行っておりました。

2.個人情報漏洩状況
2024年11月1日~2025年4月10日の期間中に当社サイトにおいてクレジットカード決済をされたお客様2,345名のクレジットカード情報
漏洩した可能性のある情報:カード名義人名、クレジットカード番号、有効期限、セキュリティコード

3.お客様へのお願い
クレジットカードのご利用明細書に身に覚えのない請求項目がないか、ご確認をお願いいたします。

4.公表が遅れた経緯について
決定的な証拠が不足しており、第三者調査機関の調査を待ってからの公表となりました。

5.再発防止策ならびに当社が運営するサイトの再開について
当社はこのたびの事態を厳粛に受け止め、調査結果を踏まえてシステムのセキュリティ対策および監視体制の強化を行ってまいります。
また、本件については個人情報保護委員会に報告済みであり、所轄警察にも被害申告しております。
"""

WEBSHELL = """【セキュリティ事件簿#2025-205】一般財団法人 日本観光文化協会 当協会ウェブサイトへの不正アクセスについて 2025年8月20日

当協会が運営するウェブサイトにおいて、第三者による不正アクセスが確認されました。

2025年8月5日、ウェブサイトの表示に異常があるとの連絡を受け調査したところ、
当協会ウェブサイトで利用しているCMS「Movable Type」の脆弱性を悪用され、
ウェブサーバー上に不正なプログラム(Webシェル)が設置されていたことが判明しました。

この不正なプログラムにより、会員ページに登録されていた会員850件の氏名、メールアドレスが
外部から閲覧可能な状態にあった可能性があります。

当協会では直ちにウェブサイトを停止し、不正なプログラムを削除いたしました。
会員の皆様には個別にご連絡を差し上げております。

今後はシステムの監視を強化し、再発防止に努めてまいります。
"""

MINISTRY = """【セキュリティ事件簿#2025-206】農林水産省 ウェブサイトへのDDoS攻撃による閲覧障害について 2025年9月10日

2025年9月9日午後2時頃から、農林水産省ウェブサイトが大量の通信を送りつけるDDoS攻撃を受け、
ウェブサイトが閲覧しにくい状態が約5時間継続しました。

現在は通信の遮断等の措置により復旧しております。
本件による個人情報の流出等は確認されておりません。

ご不便をおかけしましたことをお詫び申し上げます。
"""

INSIDER = """【セキュリティ事件簿#2025-207】株式会社東和ハウジング 元従業員による顧客情報の不正持ち出しについて 2025年10月1日

このたび、当社の元従業員が在職中に顧客管理システムから顧客情報を不正に持ち出し、
転職先での営業活動に利用していたことが判明いたしました。

1.概要
2025年9月上旬、当社のお客様から、当社と取引のない不動産会社から営業の電話があったとのご連絡をいただきました。
社内調査の結果、2025年3月に退職した元従業員が、在職中に顧客情報を私物のUSBメモリに複製して持ち出していたことが確認されました。
なお、本件について当社従業員28名への聞き取り調査を実施しております。

2.持ち出された情報
賃貸物件をご契約いただいたお客様の情報 4,210件
(氏名、住所、電話番号、契約番号)

3.対応
当該元従業員に対し、持ち出した情報の返還と削除を求めるとともに、警察に相談しております。
また、個人情報保護委員会に報告いたしました。

お客様には多大なご迷惑とご心配をおかけしましたことを深くお詫び申し上げます。
"""

FACTORY = """【セキュリティ事件簿#2025-208】株式会社カネヒロ ランサムウェア被害に関するお知らせ 2025年11月5日

2025年11月1日、当社サーバーが第三者による不正アクセスを受け、ランサムウェアによりファイルが暗号化される被害が発生しました。

この影響により、本社工場の生産管理システムが停止し、一部製品の出荷に遅れが生じております。
現在、外部専門家の協力のもと復旧作業と影響範囲の調査を進めております。

なお、現時点で個人情報の漏えいは確認されておりません。
お取引先の皆様には多大なご迷惑をおかけし、深くお詫び申し上げます。
"""

CASES = {
    "hospital": (HOSPITAL, {
        "case_id": "2025-201", "organization": "みどり中央病院",
        "title": "ランサムウェア被害による電子カルテシステムの停止について", "disclosed_on": "2025-04-03",
        "sector": "healthcare", "incident_types": ["unauthorized_access", "ransomware", "system_failure"],
        "affected": {"count": 120000, "unit": "人", "text": "約12万人分"},
        "data_types": ["氏名", "生年月日", "医療情報"], "vendors": [],
        "authorities": ["警察", "個人情報保護委員会"], "iocs": []}),
    "university": (UNIVERSITY, {
        "case_id": "2025-202", "organization": "国立大学法人東都大学",
        "title": "メール誤送信による個人情報の漏えいについて", "disclosed_on": "2025-05-12",
        "sector": "education", "incident_types": ["misdelivery"],
        "affected": {"count": 123, "unit": "名", "text": "123名"},
        "data_types": ["メールアドレス"], "vendors": [], "authorities": [],
        "iocs": [{"type": "url", "value": "https://www.toto-u.ac.jp/news/2025/0512.html"}]}),
    "municipal": (MUNICIPAL, {
        "case_id": "2025-203", "organization": "みなと市",
        "title": "個人情報を含むUSBメモリの紛失について", "disclosed_on": "2025-06-02",
        "sector": "government", "incident_types": ["loss_theft"],
        "affected": {"count": 3000, "unit": "人", "text": "約三千人分"},
        "data_types": ["氏名", "住所", "生年月日"], "vendors": [], "authorities": ["警察"], "iocs": []}),
    "ec_shop": (EC_SHOP, {
        "case_id": "2025-204", "organization": "株式会社マルヤマ珈琲",
        "title": "当社オンラインショップへの不正アクセスによる個人情報漏えいに関するお詫びとお知らせ",
        "disclosed_on": "2025-07-15", "sector": "retail_ecommerce",
        "incident_types": ["unauthorized_access", "defacement", "vulnerability_exploit"],
        "affected": {"count": 2345, "unit": "件", "text": "2,345件"},
        "data_types": ["氏名", "クレジットカード情報"], "vendors": ["株式会社ネットウィーブ東海"],
        "authorities": ["個人情報保護委員会", "警察"], "iocs": []}),
    "webshell": (WEBSHELL, {
        "case_id": "2025-205", "organization": "一般財団法人日本観光文化協会",
        "title": "当協会ウェブサイトへの不正アクセスについて", "disclosed_on": "2025-08-20",
        "sector": "association", "incident_types": ["unauthorized_access", "malware", "vulnerability_exploit"],
        "affected": {"count": 850, "unit": "件", "text": "850件"},
        "data_types": ["氏名", "メールアドレス"], "vendors": ["Movable Type"], "authorities": [], "iocs": []}),
    "ministry": (MINISTRY, {
        "case_id": "2025-206", "organization": "農林水産省",
        "title": "ウェブサイトへのDDoS攻撃による閲覧障害について", "disclosed_on": "2025-09-10",
        "sector": "government", "incident_types": ["system_failure", "ddos"],
        "affected": {"count": None, "unit": None, "text": None},
        "data_types": [], "vendors": [], "authorities": [], "iocs": []}),
    "insider": (INSIDER, {
        "case_id": "2025-207", "organization": "株式会社東和ハウジング",
        "title": "元従業員による顧客情報の不正持ち出しについて", "disclosed_on": "2025-10-01",
        "sector": "real_estate", "incident_types": ["insider"],
        "affected": {"count": 4210, "unit": "件", "text": "4,210件"},
        "data_types": ["氏名", "住所", "電話番号", "契約番号"], "vendors": [],
        "authorities": ["警察", "個人情報保護委員会"], "iocs": []}),
    "factory": (FACTORY, {
        "case_id": "2025-208", "organization": "株式会社カネヒロ",
        "title": "ランサムウェア被害に関するお知らせ", "disclosed_on": "2025-11-05",
        "sector": "manufacturing", "incident_types": ["unauthorized_access", "ransomware", "system_failure"],
        "affected": {"count": None, "unit": None, "text": None},
        "data_types": [], "vendors": [], "authorities": [], "iocs": []}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_unseen_post_every_field(name: str) -> None:
    text, expected = CASES[name]
    (incident,) = parse_post(text)
    got = {key: incident[key] for key in expected}
    assert got == expected


def test_unseen_posts_in_one_listing_split_apart() -> None:
    listing = "\n\n".join(text for text, _ in CASES.values())
    incidents = parse_post(listing)
    assert [i["case_id"] for i in incidents] == [e["case_id"] for _, e in CASES.values()]
    assert [i["organization"] for i in incidents] == [e["organization"] for _, e in CASES.values()]


@pytest.mark.parametrize(("rest", "organization"), [
    ("国立大学法人 東京大学 不正アクセスについて", "国立大学法人東京大学"),
    ("Money Forward, Inc. 不正アクセスに関するお知らせ", "Money Forward, Inc."),
    ("Kobe Digital Labs株式会社 不正ログインについて", "Kobe Digital Labs株式会社"),
    ("ABC 株式会社 情報漏えいについて", "ABC株式会社"),
])
def test_organisation_names_written_with_spaces(rest: str, organization: str) -> None:
    from services.parser.fields.organization import split_header
    assert split_header(rest)[0] == organization


@pytest.mark.parametrize(("text", "expected"), [
    ("市民約三千人分の情報", (3000, "人", "約三千人分")),
    ("顧客情報二万件が流出", (20000, "件", "二万件")),
    ("一万二千三百名分", (12300, "名", "一万二千三百名分")),
    ("第三者による不正アクセス", None),
    ("同一人物による", None),
    ("お客様一人ひとりに", None),
])
def test_kanji_numeral_counts(text: str, expected: tuple | None) -> None:
    from services.parser.fields.counts import parse_count
    assert parse_count(text) == expected


def test_staff_headcount_does_not_outrank_the_record_count() -> None:
    (incident,) = parse_post(INSIDER)
    assert incident["affected"]["count"] == 4210
