"""Every incident of the five seed documents, every field: the parser's specification.

One tuple per incident, in text order: (case_id, organization, title, disclosed_on,
sector, incident_types, (count, unit, text), data_types, vendors, authorities, iocs).
"""

from __future__ import annotations

EXPECTED: dict[str, list[tuple]] = {
    "000": [
        (None, "株式会社仕事旅行社", "不正アクセスに関するご報告(顛末書)", "2023-10-30", "staffing",
         ["unauthorized_access", "vulnerability_exploit"], (33670, "件", "33,670件"),
         ["氏名", "住所", "電話番号", "メールアドレス", "生年月日", "年齢", "職業", "職務経歴", "最終学歴"],
         [], ["警察", "個人情報保護委員会"],
         [("url", "https://www.shigoto-ryokou.com/information/contact")]),
    ],
    "001": [
        ("2023-106", "エン・ジャパン株式会社", "「エン転職」への不正ログイン発生に関するお詫びとお願い", "2023-03-30",
         "staffing", ["account_takeover"], (255765, "名", "255,765名分"), ["メールアドレス", "パスワード"],
         [], ["警察", "個人情報保護委員会"], [("url", "https://employment.en-japan.com/info/20230330/")]),
        ("2023-105", "名古屋市消防局",
         "名古屋市消防局の31歳の男性消防士長、ファイルサーバに不正アクセスして昇任試験のデータを入手するも解凍に失敗。"
         "試験不合格に加えて懲戒処分のオマケもゲット!!", None, "government", ["unauthorized_access", "insider"],
         (None, None, None), [], [], [], []),
        ("2023-104", "相澤病院", "患者さん個人情報等の漏えい(不正取得)について(お詫び)", "2023-03-29", "healthcare",
         ["insider"], (3137, "名", "3,137名分"), ["氏名", "住所", "生年月日", "医療情報", "家族情報"], [],
         ["警察", "個人情報保護委員会"], []),
        ("2023-103", "東京大学未来ビジョン研究センター", "東京大学未来ビジョン研究センターへの不正アクセスによる情報流出について",
         "2023-03-28", "education", ["unauthorized_access", "malware"], (207, "名", "207名"),
         ["住所", "電話番号", "メールアドレス", "生年月日", "口座情報", "学籍番号"], [], [], []),
        ("2023-102", "株式会社ギンポーパック", "不正アクセス及びこれに伴うシステム障害に関するお知らせ", "2023-03-24",
         "manufacturing", ["unauthorized_access", "ransomware", "system_failure"], (None, None, None), [], [],
         ["個人情報保護委員会", "警察"], []),
        ("2023-101", "住友不動産株式会社", "「住友不動産のふれあい+S」システムへの第三者によるアクセスについて", "2023-03-27",
         "real_estate", ["misconfiguration"], (3378, "件", "3378件"), ["氏名", "住所", "電話番号", "メールアドレス", "生年月日"],
         [], [], []),
        ("2023-104", "株式会社FRAGRANCY", "FRAGRANCYオンラインショップへの不正アクセスによる個人情報漏えいに関するお詫びとお知らせ",
         "2023-03-28", "retail_ecommerce", ["unauthorized_access", "defacement", "vulnerability_exploit"],
         (16347, "件", "最大16,347件"),
         ["氏名", "住所", "電話番号", "メールアドレス", "生年月日", "性別", "勤務先", "クレジットカード情報", "購入履歴",
          "郵便番号", "FAX番号"], [], ["個人情報保護委員会", "警察"], []),
        (None, "大阪急性期・総合医療センター", "情報セキュリティインシデント調査委員会報告書について", "2023-03-28", "healthcare",
         ["unauthorized_access", "ransomware", "system_failure"], (None, None, None), [], [],
         ["警察", "内閣サイバーセキュリティセンター", "厚生労働省"], []),
    ],
    "002": [
        ("2025-094", "国立研究開発法人量子科学技術研究開発機構", "リモートアクセス機器に対する不正アクセスに関するご報告", "2025-03-07",
         "research", ["unauthorized_access", "vulnerability_exploit"], (None, None, None), ["氏名", "メールアドレス", "勤務先"],
         [], [], []),
        ("2025-093", "静岡市生涯学習センター", "サーバへの不正アクセスによる個人情報流出の可能性についてお詫びとお知らせ", "2025-03-04",
         "education", ["unauthorized_access"], (None, None, None), ["氏名", "住所", "電話番号", "メールアドレス"],
         ["株式会社静岡情報処理センター"], [], []),
        ("2025-092", "NTTコミュニケーションズ株式会社", "当社への不正アクセスによる情報流出の可能性について", "2025-03-05",
         "telecom_it", ["unauthorized_access"], (17891, "社", "17,891社"), ["氏名", "住所", "電話番号", "メールアドレス", "契約番号"],
         [], [], []),
        ("2025-091", "株式会社ポケモン", "新規会員の個人情報漏洩、および、緊急サイトメンテナンスのお詫び", "2025-03-04",
         "retail_ecommerce", ["system_failure"], (326, "件", "326件"), ["氏名", "住所", "メールアドレス"], [], [], []),
        ("2025-090", "ひろしプロジェクト", "不正アクセスによるブログサイト改ざんと個人情報漏えいのお詫び", "2025-03-01", "individual",
         ["unauthorized_access", "malware", "defacement", "spam_relay"], (260, "名", "約260名分"),
         ["氏名", "住所", "メールアドレス", "年齢"], ["acmailer"], [], []),
        ("2025-089", "株式会社イシクラ", "不正アクセスによる情報漏えいのおそれがある事案の発生に関するご報告とお詫び", "2025-03-04",
         "manufacturing", ["unauthorized_access", "ransomware", "misconfiguration", "vulnerability_exploit"],
         (74238, "件", "7万4238件"), ["氏名", "画像"], ["WebLAYLA"], ["個人情報保護委員会", "警察", "JIPDEC"], []),
        ("2025-088", "徳島県", "迷惑メール送信事案の発生について", "2025-02-28", "government", ["misconfiguration", "spam_relay"],
         (1400000, "通", "約140万通"), [], [], [],
         [("email", "emmanuel@mt.tokushima-ec.ed.jp"), ("email", "art@mt.tokushima-ec.ed.jp"),
          ("email", "info@tokushima-ec.ed.jp"), ("email", "sadamitsu-th@mt.tokushima-ec.ed.jp"),
          ("email", "anan_ss@mt.tokushima-ec.ed.jp")]),
    ],
    "003": [
        (None, "一般社団法人日本経営協会", "不正アクセスによるお客様情報流出について(ご報告)", "2019-09-24", "association",
         ["unauthorized_access", "ransomware"], (2851, "件", "2851件"),
         ["氏名", "住所", "電話番号", "メールアドレス", "生年月日", "性別", "勤務先", "FAX番号"], [],
         ["警察", "個人情報保護委員会", "IPA"],
         [("url", "https://noma-ec.jp/"), ("ipv4", "138.197.199.81"), ("bitcoin", "1rm6Xk4Buk42vHE55X7VseErFHjqd93vH"),
          ("url", "https://www.ssllabs.com/ssltest/"), ("email", "security@noma.or.jp")]),
    ],
    "004": [
        (None, "株式会社ハードオフコーポレーション", "ハードオフ公式アプリにおける不正ログインに関するお詫びとご報告", "2022-08-13",
         "retail_ecommerce", ["account_takeover"], (6186, "アカウント", "6,186アカウント"),
         ["氏名", "住所", "電話番号", "メールアドレス", "生年月日", "性別", "職業", "パスワード", "購入履歴"], [], ["警察"], []),
        # A listed company takes its EDINET industry (ゴム製品 -> manufacturing).
        (None, "株式会社ニチリン", "当社米国子会社への不正アクセス発生について(第 2 報)", "2022-08-12", "manufacturing",
         ["unauthorized_access", "ransomware", "vulnerability_exploit"], (None, None, None), [], [], ["警察"], []),
        # A prefecture is government even when the incident was at one of its schools (corpus convention).
        (None, "東京都", "都立高等学校における個人情報の漏えい", "2022-08-09", "government", ["misdelivery"],
         (278, "名", "278名"), [], ["Microsoft Teams"], [], []),
        (None, "住和港運株式会社", "弊社サーバへの不正アクセスについてのご報告とお詫び", "2022-08-05", "logistics",
         ["unauthorized_access", "ransomware"], (None, None, None), [], [], ["警察", "個人情報保護委員会"], []),
    ],
}

# Titles (first lines) of the non-incident segments, in text order, per document.
NON_INCIDENTS: dict[str, list[str]] = {
    "000": [],
    "001": [],
    "002": ["安く旅する方法"],
    "003": [],
    "004": ["2022年のセキュリティおよびリスクマネジメントのトップトレンド", "urlscan.ioのスキャンの種類",
            "2022年版防衛白書(抜粋:サイバー領域をめぐる動向)"],
}
