"""Is a header-less text a disclosure? Fragments written for these tests."""

from __future__ import annotations

from services.parser.disclosure import event_cue, judge


def test_a_news_report_of_a_leak_is_a_disclosure() -> None:
    assert judge("みなと市は5日、職員が住民の個人情報を誤って送付したと発表した。市によると、対象は120人。").incident


def test_an_organisations_apology_is_a_disclosure() -> None:
    text = "このたび、当社のオンラインショップが第三者による不正アクセスを受け、お客様の情報が流出した可能性があることが判明しました。深くお詫び申し上げます。"
    assert judge(text).incident


def test_a_warning_about_impersonation_is_not() -> None:
    text = ("当協会の名を騙った迷惑メールが送られています。当協会から請求書をメールでお送りすることはございません。"
            "このようなメールを受信した場合は開かずに削除するようお願いいたします。")
    assert not judge(text).incident


def test_a_seminar_announcement_is_not() -> None:
    text = "ランサムウェアの被害が相次いでいることを受け、情報セキュリティ研修会を開催します。参加無料。事前申込みが必要です。"
    assert not judge(text).incident


def test_statistics_across_many_bodies_are_not() -> None:
    text = "委員会は、昨年度の漏えい等の報告件数を取りまとめ公表した。報告件数は前年度比12%増となり、最近の傾向として不正アクセスが目立つ。"
    assert not judge(text).incident


def test_a_hypothetical_event_is_not_an_event() -> None:
    assert event_cue("ランサムウェアに感染するとファイルが暗号化され、業務が停止する可能性があります。") is None
    assert event_cue("サーバーがランサムウェアに感染し、ファイルが暗号化されました。") is not None


def test_another_bodys_incident_is_not_the_writers() -> None:
    text = "他の証券会社において不正アクセスにより資金が流出する被害が発表されたことを受けて、当社では出金手続きを停止いたしました。"
    assert not judge(text).incident


def test_the_verdict_lists_its_cues() -> None:
    verdict = judge("みなと市は5日、職員が住民の個人情報を誤って送付したと発表した。")
    assert any(cue.startswith("event:") for cue in verdict.cues) and "score" in verdict.reason


def test_an_announcement_about_an_attack_is_a_disclosure() -> None:
    text = "株式会社みなと観光は3日、同社が運営する予約システムへの不正アクセスについて発表した。予約者の情報が漏えいした。"
    assert judge(text).incident


def test_a_quotative_to_after_a_verb_is_not_a_condition() -> None:
    text = "みなと製作所は1日、取引先がサイバー攻撃を受けたため、全工場の稼働を停止すると発表した。"
    assert event_cue(text) == "サイバー攻撃を受け"


def test_being_hit_by_unauthorised_access_is_an_event() -> None:
    assert event_cue("市防犯協会のパソコンが不正アクセスに遭ったと発表した。") is not None


def test_phishing_told_within_a_breach_report_does_not_make_it_a_warning() -> None:
    text = ("みなとホテルは、予約システムが不正アクセスを受け、顧客の情報が漏えいしたと発表した。"
            "予約サイトを装ったメールが顧客に送られていた。")
    assert judge(text).incident


def test_a_spoofed_mail_warning_with_one_event_stays_a_warning() -> None:
    text = ("「みなと療育センター」を装った迷惑メールが、不正に送信されている事実を確認しました。"
            "当センターから送信したメールではありません。開かずに削除してください。")
    assert not judge(text).incident


def test_a_template_with_its_blanks_open_is_not() -> None:
    text = ("20**年**月**日\nお客様各位\n○○○ 株式会社\nこのたび、弊社が運営する「○○○」におきまして、不正アクセスが発生し、"
            "お客様の個人情報が流出した可能性があることが判明しました。大変に申し訳ございません。")
    assert not judge(text).incident


def test_a_service_page_listing_symptoms_is_not() -> None:
    text = ("情報漏えい事故が発生したお客様を、原因解明から恒久対策までワンストップで支援します。"
            "Webサイトが何者かによって改ざんされた場合は、事故が大きくなる前にご相談ください。")
    assert not judge(text).incident


def test_a_case_elsewhere_in_the_industry_is_not() -> None:
    text = ("信用組合業界におきまして、個人顧客口座のインターネットバンキングによる不正送金事案が発生しました。"
            "パソコンがウイルスに感染し、パスワードが漏えいしていました。以下の点にご注意ください。")
    assert not judge(text).incident


def test_a_seminar_held_by_the_police_is_not() -> None:
    text = ("情報セキュリティについて学ぶセミナーが開かれています。"
            "2月に入り、システムのぜい弱性を悪用し、ウェブページが改ざんされる事案が確認され、被害に遭う企業もあります。")
    assert not judge(text).incident


def test_an_aggregators_one_line_summary_of_an_infection_is_a_disclosure() -> None:
    text = ("みなと市立病院にてランサムウェアの感染被害。同院の電子カルテシステムがランサムウェアに感染し、"
            "一部患者情報が参照できない状況になった。")
    assert judge(text).incident


def test_a_sites_apology_for_a_ddos_upstream_is_a_disclosure() -> None:
    text = ("昨日の約20分間にわたって、当サイトで一時的にアクセスがしづらい症状が発生した可能性があります。"
            "原因ですが、サーバーの上側にあるネットワークに、大規模な分散型ネットワーク攻撃(いわゆるDDoS攻撃)が発生したためです。"
            "ご迷惑をおかけしたことをお詫び申し上げます。")
    assert judge(text).incident


def test_a_letter_template_with_bracketed_blanks_is_not() -> None:
    text = ("件名:個人情報漏洩に関するお詫びとご報告\n株式会社[会社名]\n[顧客名]様\nこの度、[日付] [時間]頃、弊社システムにおいて"
            "個人情報漏洩事故が発生いたしました。[顧客名]様の[漏洩した個人情報の具体的な種類]が漏洩した可能性がございます。深くお詫び申し上げます。")
    assert not judge(text).incident


def test_a_software_catalogue_entry_is_not() -> None:
    text = ("■「USBメモリのセキュリティ」は、USBメモリーを取り外すだけで自動的にロックされるツールである。"
            "紛失したUSBメモリーからの情報漏えいに関して心配がない。\n■対応OS Windows\n■動作環境 USB 2.0")
    assert not judge(text).incident


def test_a_former_employee_taking_data_out_is_a_disclosure() -> None:
    text = ("このたび、弊社の元従業員が、お客様の情報を含む32,800件および営業関連データ(販売代理店の管理業務に関連するデータ)を"
            "無断で社外に持ち出していたことが判明いたしました。多大なるご心配とご迷惑をお掛けいたしますこと、心より深くお詫び申し上げます。")
    assert judge(text).incident


def test_a_feared_leak_and_data_handed_to_the_wrong_person_are_events() -> None:
    assert event_cue("医師のパソコンに患者の氏名が記録されており、漏えいの懸念が生じています。") is not None
    assert event_cue("操作ミスにより、エコー動画の誤提供がありました。") is not None


def test_news_of_misused_faxed_told_or_scattered_data_are_disclosures() -> None:
    assert judge("J2を運営する協会は24日、スタッフによる個人情報の不適切使用があったとしてクラブの公式サイトで謝罪した。"
                 "発表によると、応募者42名分の個人情報をLINEで送っていた。").incident
    assert judge("保健所が感染者の調査票などを誤って別の番号にファクスしていたことが5日、分かった。"
                 "同保健所によると、誤送信したのは38人分のリスト。").incident
    assert judge("議会事務局が、閲覧を申請した団体の名前や代表者名を、全ての市議会議員にメールで伝えていたことがわかった。"
                 "事務局によると、職員が議員全員にメールを送った。").incident
    assert judge("国道で、塾の生徒の成績などが記入された書類が散乱しているのを住民が見つけた。3枚が見つかっていないという。"
                 "経営する会社によると、生徒22人の名前が記された書類が含まれていた。謝罪した。").incident


def test_mail_sent_with_the_other_addresses_visible_is_an_event() -> None:
    assert event_cue("事務局が、宿泊施設に対し、他の宿泊施設のメールアドレスが分かる状態で送信しました。") is not None


def test_data_copied_and_taken_out_is_an_event_with_its_counts_in_brackets() -> None:
    assert event_cue("委託先の従業員が、患者情報等(患者1,582人・医師等144人)をUSBメモリなどに複製し、持ち出していた。") is not None


def test_a_leak_named_in_quotes_or_as_an_incident_is_an_event() -> None:
    assert event_cue("「メールアドレスの流出」に関するお詫びとご報告") is not None
    assert event_cue("このたびの、お客様のメールアドレスの流出インシデントにつきまして、お詫び申し上げます。") is not None


def test_an_account_used_by_a_stranger_is_an_event() -> None:
    assert event_cue("本学関係者が利用するメールアカウントが不正に使用され、学内外へメールが送信されました。") is not None
