"""Which organisation had the incident: read where a reader finds it. Fragments written for these tests."""

from __future__ import annotations

from services.parser.fields.organization import organization, split_header
from services.parser.reading import lead, read_lines


def org(text: str) -> str | None:
    lines = read_lines(text.split("\n"))
    return organization(None, "", lines, lead(lines)).value


def test_header_first_part_is_the_organisation() -> None:
    assert split_header("みどり中央病院 ランサムウェア被害について") == ("みどり中央病院", "ランサムウェア被害について")


def test_header_written_as_a_sentence_starts_with_the_organisation() -> None:
    assert split_header("みなと市立小学校の教頭、USBメモリを紛失")[0] == "みなと市立小学校"


def test_news_lead_subject_is_the_organisation() -> None:
    assert org("東都市は12日、職員が住民の個人情報を誤送信したと発表した。") == "東都市"


def test_a_prefecture_written_before_its_city_is_dropped() -> None:
    assert org("栃木県小山市は19日、案内状を誤送付したと発表した。") == "小山市"


def test_an_unknown_company_in_the_news_idiom() -> None:
    assert org("家電量販店のマルカワ電器は3日、通販サイトに不正アクセスがあったと発表した。") == "マルカワ電器"


def test_a_photo_caption_and_a_byline_are_never_the_organisation() -> None:
    text = "画像:みなと工科大学より引用\nKSB瀬戸内海放送\nみなと工科大学は2日、教員のアカウントが乗っ取られたと発表しました。"
    assert org(text) == "みなと工科大学"


def test_the_release_name_line_under_the_date() -> None:
    assert org("令和7年4月1日\n国立大学法人みなと大学\nメールの誤送信について\nこのたび、本学職員が誤送信しました。") \
        == "国立大学法人みなと大学"


def test_the_later_of_two_name_lines_is_the_more_specific() -> None:
    text = "2024年9月9日\n株式会社アオバ\n株式会社アオバクレジット\n個人情報漏えいについて\nこのたび、当社の委託先が被害を受けました。"
    assert org(text) == "株式会社アオバクレジット"


def test_a_signature_with_the_heads_title() -> None:
    text = "このたび、名簿が流出し、町民の方々にご迷惑をおかけしました。\nつるぎ町長 山田 太郎\n1.経緯\n職員が名簿を渡した。"
    assert org(text) == "つるぎ町"


def test_an_officer_after_the_name_is_dropped() -> None:
    text = "2020年6月25日\n日本みなと学会理事長 山田 花子\nこのたび、申込フォームの設定ミスにより漏洩しました。"
    assert org(text) == "日本みなと学会"


def test_a_text_that_only_speaks_of_itself_names_no_one() -> None:
    assert org("このたび、本学の事務局内サーバが不正アクセスを受けました。下関警察署に相談しています。") is None


def test_a_place_before_a_body_is_not_the_body() -> None:
    assert org("県は、みどり市の県立みなと病院でメールアカウントが不正利用されたと発表しました。") == "県立みなと病院"


def test_an_unnamed_hospital_gives_no_name() -> None:
    assert org("徳島県つるぎ町の病院で電子カルテのシステムが使えなくなったと明らかにしました。") is None


def test_the_writer_introducing_themself_is_not_the_organisation() -> None:
    text = "こんにちは。みなと総合研究所の山田です。\n株式会社アオバスタッフの個人情報流出が報じられました。"
    assert org(text) != "みなと総合研究所"


def test_a_signature_under_a_date_line_names_the_body() -> None:
    text = ("本学では個人情報の厳格な取扱いに努めてまいりました。\n本学教員がノートパソコンを紛失しました。\n"
            "令和2年8月28日\n国立大学法人みなと大学\n個人情報総括保護管理者\n山田 太郎")
    assert org(text) == "国立大学法人みなと大学"


def test_of_two_name_lines_under_a_date_the_later_one() -> None:
    text = "当社の情報が流出しました。\n2017年5月9日\n株式会社みなとホールディングス\n株式会社みなとサービス\n\nこのたび当社におきまして…"
    assert org(text) == "株式会社みなとサービス"


def test_the_shop_a_title_says_was_attacked_names_its_owner() -> None:
    text = "紅葉亭ネットショップへの不正アクセスによるクレジットカード情報漏洩に関するご質問\nこのたびの件について、ご回答をご用意いたしました。"
    assert org(text) == "紅葉亭"


def test_the_body_that_speaks_for_the_release_wins_over_where_it_happened() -> None:
    text = ("みなと市立中学校における個人情報誤配信について\n\nみなと市立中学校において、回答用紙データを誤って配信しました。\n\n"
            "みなと市教育委員会といたしましては、本件を厳粛に受け止め、再発防止に努めてまいります。")
    assert org(text) == "みなと市教育委員会"


def test_a_time_word_before_wa_is_no_name() -> None:
    assert org("今回は、今年10月に発表された情報セキュリティ事件をまとめました。") is None


def test_a_city_office_stands_for_the_city_and_a_legal_form_keeps_no_separator() -> None:
    assert org("みどり市役所\nみどり市は9日、職員が個人情報を紛失したと発表した。") == "みどり市"
    assert org("特定非営利活動法人・みなと支援センターは3日、メールを誤送信したと発表した。") == "特定非営利活動法人みなと支援センター"


def test_a_name_line_followed_by_its_title_gives_the_name() -> None:
    text = "国立大学法人みなと技術科学大学 個人情報が保存されているノートパソコンの盗難\n\n本学教員のノートパソコンが盗難に遭いました。"
    assert org(text) == "国立大学法人みなと技術科学大学"


def test_a_quoted_body_whose_data_leaked() -> None:
    assert org("2025年11月、警視庁は、引っ越し支援を行う「ミナトムーブ」の顧客データが不正に持ち出された事件で、4名を逮捕した。") == "ミナトムーブ"


def test_a_bodys_site_stands_for_the_body() -> None:
    assert org("ミナト会HP\nミナト会は5日、会員名簿を紛失したと発表した。") == "ミナト会"


def test_a_service_the_writer_runs_is_not_the_body_and_the_contact_block_names_it() -> None:
    text = ("メール誤送信に関してのお詫び\n\n2021年2月3日、弊社が運営・管理する「ケアジョブネット」において、"
            "お客様に誤った内容のメールが送信されました。\n\n<本件に関するお問い合わせ先>\nミナトグループ株式会社ケアジョブネット事務局\n0120-000-000")
    assert org(text) == "ミナトグループ株式会社"


def test_the_body_a_releases_greeting_thanks_readers_for_supporting() -> None:
    text = "メール誤送信のお詫び\n日頃よりFC南東京に温かいご支援をいただき、誠にありがとうございます。\n弊社の操作ミスにより誤送信しました。"
    assert org(text) == "FC南東京"
    assert org("メール誤送信のお詫び\n平素は弊社サービスをご利用いただき、ありがとうございます。\n弊社の操作ミスにより誤送信しました。") is None


def test_the_news_idiom_with_a_long_clause_before_the_report_verb() -> None:
    text = ("南海プロレスリングは、オフィシャルファンクラブ「Team NANKAI」会員の個人情報が保存された暗号化セキュリティ機能付きの"
            "USBメモリーを撮影会の会場で紛失したと、2024年4月30日に公式サイトで発表した。")
    assert org(text) == "南海プロレスリング"


def test_a_prefecture_before_a_town_whose_name_other_prefectures_share_is_dropped() -> None:
    assert org("鳥取県南部町は17日、園児の個人情報がSNS上に漏洩したと発表しました。") == "南部町"


def test_a_department_named_in_the_news_idiom_stands_for_its_body() -> None:
    assert org("神奈川県警サイバー犯罪捜査課は5日、不正アクセス禁止法違反の疑いで男を逮捕したと発表した。") == "神奈川県警"


def test_a_broadcaster_under_the_headline_is_the_outlet_not_the_body() -> None:
    text = "みなと市 USBメモリを紛失\n\n北東朝日放送\n\n秋田県男鹿市は約1500人の個人情報が入ったUSBメモリを職員が紛失していたと発表しました。"
    assert org(text) == "男鹿市"


def test_a_prefecture_before_a_hotel_is_its_place() -> None:
    text = "2025年9月8日、静岡県の沼津みなとホテルが予約システムへの不正アクセスを受け、顧客情報が漏洩した可能性があることを公表しました。"
    assert org(text) == "沼津みなとホテル"


def test_a_region_of_a_prefecture_is_where_not_whose() -> None:
    text = "長野県の一部地域で日刊紙を発行している南信日報社(諏訪市)は21日、サーバーがランサムウェアに感染したと明らかにした。"
    assert org(text) == "南信日報社"
    assert org("赤穂市教育委員会のコンピュータサーバが不正アクセスを受けた。") == "赤穂市教育委員会"


def test_a_regulator_directing_the_body_is_not_the_body() -> None:
    text = ("旅行会社の個人情報流出、観光庁がミナト通運にも報告指示\n"
            "旅行商品を販売するミナト通運は2016年6月16日、外部からの不正アクセスにより顧客情報が流出した可能性があると発表した。")
    assert org(text) == "ミナト通運"
    assert org("総務省は4月8日、職員の個人情報が漏えいしたと発表した。") == "総務省"


def test_a_reports_said_school_points_back_to_the_school_it_named() -> None:
    text = ("USB紛失トラブルがあった暁星中学高等学校\n"
            "中・高一貫教育の名門私立「暁星中学高等学校」(東京都千代田区)のホームページに、謝罪文書が掲載されたのは10月29日のこと。"
            "同校教員が、在校生の個人情報などが入ったUSBメモリを紛失したとする校長からの報告だった。")
    assert org(text) == "暁星中学高等学校"
    assert org("当社は、お客様の個人情報が流出した可能性があることを確認いたしました。") is None


def test_a_societys_office_signs_for_the_society() -> None:
    text = ("【重要】不正アクセス被害について\nみなと哲学会会員各位\nみなと哲学会事務局\n2016年9月21日\n"
            "この度、皆様に「不正アクセス被害」のご報告とお詫びについてご連絡をさせていただきます。事務局にて利用しているメールアカウントに"
            "不正なログインが行われたことが確認されました。\n【本件に関するお問い合わせ先 】みなと哲学会事務局\n〒186-8601 国立市中2-1\n"
            "一橋大学社会学部社会思想")
    assert org(text) == "みなと哲学会"


def test_the_publisher_in_a_copyright_line_is_not_the_body() -> None:
    text = ("保健所が感染者の調査票を誤って別の番号にファクスしていたことが5日、分かった。"
            "担当者が番号を押し間違えたという。 (C)時事通信社")
    assert org(text) != "時事通信社"
    assert org("みなと保健所は5日、調査票を誤って送信したと発表した。") == "みなと保健所"


def test_a_line_that_only_contains_a_legal_form_is_not_a_name_line() -> None:
    from services.parser.fields.organization import looks_like_org
    assert not looks_like_org("なる公益社団法人のメールアドレスが")
    assert looks_like_org("公益社団法人みなと協会")


def test_a_subsidiary_named_after_its_parent_is_the_body() -> None:
    text = "北東電信の子会社北東ビジネスサービス(札幌市)は17日、元派遣社員が顧客情報を不正に持ち出したと発表した。"
    assert org(text) == "北東ビジネスサービス"
    text = ("南海ハウスの子会社でフィットネスクラブ事業を手掛けるスポーツクラブMINATO(東京都港区)は6月16日、"
            "会員情報の管理に使っていたサーバがランサムウェアに感染したと発表した。")
    assert org(text) == "スポーツクラブMINATO"


def test_the_head_of_a_body_is_a_person_not_the_body() -> None:
    text = ("みなと市にある西浜農業協同組合の支店から、組合員の個人情報が記録されたパソコンが盗まれていたことがわかりました。\n"
            "JA西浜の山田組合長は、会見を開いて謝罪しました。")
    assert org(text) == "西浜農業協同組合"


def test_a_town_the_body_is_in_is_its_place() -> None:
    assert org("倉敷市にある西浜農業協同組合の支店から、パソコンが盗まれていたことがわかりました。") == "西浜農業協同組合"


def test_a_headlines_short_form_is_completed_from_the_full_name_below() -> None:
    text = ("みなと美術専門学校がメール誤送信 学生14人のアドレスが公開状態に\n"
            "県立みなと美術専門学校の職員が学生にメールを送信した際、誤って受信者全員のアドレスを表示していたことが分かりました。")
    assert org(text) == "県立みなと美術専門学校"


def test_a_company_described_by_the_business_it_runs_is_the_subject() -> None:
    text = ("大手通販サイト「MINATO SHOP」を運営するミナトショップチャンネルは、第三者による不正ログインによる"
            "24件のなりすまし購入を確認したと発表した。")
    assert org(text) == "ミナトショップチャンネル"


def test_an_aggregators_field_naming_the_body_outranks_the_announcers_site() -> None:
    text = ("- 元記事:生徒の個人情報漏洩について\n- HP:静岡県\n会社名 | 静岡県立湖東工業高等学校 |\n---|---|\n漏洩種別 | 流出 |\n"
            "静岡県立高校にて、貸出用iPadから生徒個人情報が閲覧可能状態となり個人情報が流出した。")
    assert org(text) == "静岡県立湖東工業高等学校"
