"""Incident types on short disclosure-style fragments: one behaviour per test."""

from __future__ import annotations

from services.parser.fields.context import is_advisory, is_negated
from services.parser.reading import related_links_start
from services.parser.fields.types import classify_types, literal_prefix


def types(text: str) -> list[str]:
    return classify_types(text).value


# --- unauthorized access -----------------------------------------------------

def test_accessed_without_authorisation_is_unauthorized_access() -> None:
    assert types("第三者が当社サーバーに不正にアクセスし、ファイルを閲覧しました。") == ["unauthorized_access"]


def test_intrusion_into_a_system_is_unauthorized_access() -> None:
    assert "unauthorized_access" in types("ランサムウェアによる院内システムへの侵入被害を受けました。")


def test_ransomware_entering_a_server_is_not_unauthorized_access() -> None:
    assert types("教育委員会のサーバが、コンピュータウイルス(ランサムウェア)の侵入により被害を受けました。") == ["ransomware"]


def test_ransomware_through_a_named_weakness_is_also_unauthorized_access() -> None:
    text = "サーバーがランサムウェアに感染しました。調査の結果、VPN機器の脆弱性が指摘されました。"
    assert types(text) == ["unauthorized_access", "ransomware"]


def test_cyber_attack_that_leaked_data_is_unauthorized_access() -> None:
    assert types("当社のシステムがサイバー攻撃を受け、お客様の個人情報が流出しました。") == ["unauthorized_access"]


def test_cyber_attack_that_only_took_a_site_down_is_not_unauthorized_access() -> None:
    assert "unauthorized_access" not in types("県のホームページがサイバー攻撃を受け、閲覧障害が発生しました。")


# --- ransomware --------------------------------------------------------------

def test_files_encrypted_by_an_attacker_are_ransomware() -> None:
    assert types("サーバ内のデータが暗号化され、使用できなくなっています。") == ["ransomware", "system_failure"]


def test_data_stored_encrypted_is_not_ransomware() -> None:
    assert types("紛失したUSBメモリの内容は暗号化されていました。") == ["loss_theft"]


def test_encrypted_attachment_is_not_ransomware() -> None:
    assert "ransomware" not in types("Emotetに感染し、暗号化されたファイルが添付されたメールが送信されました。")


# --- account takeover --------------------------------------------------------

def test_improper_login_is_account_takeover() -> None:
    assert types("不正なログインが強く疑われるIDは120件でした。") == ["account_takeover"]


def test_logging_in_as_a_customer_is_account_takeover() -> None:
    assert types("第三者が入手したIDとパスワードでお客さまになりすましてログインしました。") == ["account_takeover"]


def test_guessed_password_is_account_takeover() -> None:
    assert "account_takeover" in types("職員が他課のID及びパスワードを推測してグループウェアにログインしました。")


def test_mail_sent_with_the_accounts_password_is_account_takeover() -> None:
    assert "account_takeover" in types("教員のメールアカウントのIDとパスワードを用いて、大量のメールが送られました。")


def test_stolen_credentials_are_account_takeover_not_loss() -> None:
    text = "HP更新用のIDとパスワードが何らかの方法で盗まれ、海外から不正アクセスを受けました。"
    assert types(text) == ["unauthorized_access", "account_takeover"]


def test_advice_not_to_reuse_passwords_is_not_account_takeover() -> None:
    assert types("他のサービスと同じパスワードを使い回している場合は変更してください。") == ["other"]


# --- malware -----------------------------------------------------------------

def test_suspicious_program_planted_on_a_server_is_malware() -> None:
    assert types("調査の結果、サーバーに不審なプログラムが書き込まれていたことが分かりました。") == ["malware"]


def test_coronavirus_patient_is_not_malware() -> None:
    assert types("新型コロナウイルス感染者の報告書を誤って保護者に一斉送信しました。") == ["misdelivery"]


def test_ransomware_called_a_virus_is_not_also_malware() -> None:
    assert types("病院はランサムウエアと呼ばれる身代金要求型ウイルスに感染したと発表しました。") == ["ransomware"]


def test_infection_without_ransomware_is_malware() -> None:
    assert types("職員のパソコン1台がコンピューターウイルスに感染しました。") == ["malware"]


def test_how_a_virus_spreads_is_not_an_infection() -> None:
    assert types("添付ファイルを開封するとウイルスに感染し、情報を盗み出します。") == ["other"]


def test_worry_about_an_infection_is_not_malware() -> None:
    assert "malware" not in types("サイトが改ざんされた。理事長は「ウイルスの感染が心配だ」と話している。")


# --- misconfiguration --------------------------------------------------------

def test_wrong_extraction_condition_is_misconfiguration() -> None:
    assert "misconfiguration" in types("対象者を抽出する際に生年月日の条件設定を間違え、案内状を誤って送付しました。")


def test_sharing_left_unrestricted_is_misconfiguration_not_misdelivery() -> None:
    text = "共有フォルダの閲覧者の限定設定を行っていなかったため、全職員が閲覧可能な状態でした。"
    assert types(text) == ["misconfiguration"]


def test_site_open_to_the_outside_is_misconfiguration() -> None:
    assert types("事務局のポータルサイトが外部から閲覧可能な状態になっていました。") == ["misconfiguration"]


def test_open_after_an_intrusion_is_not_misconfiguration() -> None:
    text = "不正アクセスを受け、データベースの個人情報が外部から閲覧可能な状態になっていました。"
    assert types(text) == ["unauthorized_access"]


def test_unprotected_lost_usb_is_loss_not_misconfiguration() -> None:
    assert types("USBメモリを紛失しました。パスワードを設定していなかったとのことです。") == ["loss_theft"]


# --- insider -----------------------------------------------------------------

def test_staffer_acting_on_their_own_is_insider() -> None:
    assert types("原因:職員の独断で名簿を自治会役員に渡した。") == ["insider"]


def test_copying_without_permission_is_insider() -> None:
    assert types("課長級の職員が住民基本台帳のデータを無断でコピーし、自宅に保存していました。") == ["insider"]


def test_use_unrelated_to_work_is_insider() -> None:
    assert types("係長が住民のデータを業務に関係なく職員間でやりとりしていた。") == ["insider"]


def test_staff_intrusion_is_insider_and_unauthorized_access() -> None:
    assert types("アクセス権限のない職員が不正にアクセスし、メールを閲覧していた。") == ["unauthorized_access", "insider"]


def test_work_data_on_a_private_device_is_insider() -> None:
    assert types("従業員が業務情報を個人所有のパソコンに保管し、ネット上に流出した。") == ["insider"]


def test_private_usb_that_was_lost_is_loss_only() -> None:
    assert types("教諭が名簿を私物のUSBメモリーに保存していたが、そのUSBを紛失した。") == ["loss_theft"]


def test_staffer_carrying_a_device_is_not_insider() -> None:
    assert types("委託先の社員が市のデータを持ち出したUSBメモリーを紛失しました。") == ["loss_theft"]


def test_selling_customer_data_is_insider() -> None:
    assert types("顧客情報が名簿業者に売却されていたことが判明しました。") == ["insider"]


# --- misdelivery -------------------------------------------------------------

def test_to_instead_of_bcc_setting_is_misdelivery() -> None:
    text = "本来「BCC」設定で送信すべきところを誤って「TO」設定で送信しました。"
    assert types(text) == ["misdelivery"]


def test_document_issued_by_mistake_is_misdelivery() -> None:
    assert types("誤って戸籍の附票の写しを相手方に交付してしまいました。") == ["misdelivery"]


def test_wrong_file_attached_is_misdelivery() -> None:
    text = "誤ってお渡しすべきでない個人情報が記載されたファイルを電子メールに添付して送信しました。"
    assert types(text) == ["misdelivery"]


def test_another_persons_papers_enclosed_is_misdelivery() -> None:
    assert types("通知書に他の方の申請書が同封されていました。") == ["misdelivery"]


# --- loss and theft ----------------------------------------------------------

def test_disposal_by_mistake_is_loss() -> None:
    assert types("書類は他の廃棄書類と一緒に誤って廃棄したとみられます。") == ["loss_theft"]


def test_stolen_bag_is_theft() -> None:
    assert types("職員が電車内でパソコンの入ったかばんを盗まれました。") == ["loss_theft"]


def test_domain_stolen_by_an_intrusion_is_not_theft() -> None:
    assert types("不正アクセスによる子会社ドメイン盗難についてのご報告") == ["unauthorized_access"]


# --- system failure ----------------------------------------------------------

def test_system_that_became_unusable_is_system_failure() -> None:
    assert types("電子カルテのシステムが使えなくなり、救急の受け入れを停止しています。") == ["system_failure"]


def test_server_going_down_is_system_failure() -> None:
    assert types("6月5日午前6時頃に同社サーバがダウンしました。") == ["system_failure"]


def test_page_taken_offline_is_not_system_failure() -> None:
    assert types("当該ページを削除し、閲覧できない状態にしました。") == ["other"]


def test_malfunction_from_a_setting_error_is_not_system_failure() -> None:
    text = "自動返信機能に不具合が発生し、利用者の入力内容が他の宛先に送信されました。原因は設定ミスです。"
    assert "system_failure" not in types(text)


def test_bug_with_no_other_cause_is_system_failure() -> None:
    assert types("予約システムの不具合により他の利用者の情報が表示されました。") == ["system_failure"]


# --- spam relay --------------------------------------------------------------

def test_spam_counted_before_sent_is_spam_relay() -> None:
    assert types("病院のメールアカウントから迷惑メールが少なくとも460件送信されました。") == ["spam_relay"]


def test_mass_mail_from_the_towns_address_is_spam_relay() -> None:
    assert "spam_relay" in types("町のメールアドレスから不特定多数に大量のメールを送信していることが発覚しました。")


def test_relayed_mail_server_is_spam_relay() -> None:
    assert types("県警のメールサーバーが不正に中継され、約5万件のメールが送信されました。") == ["spam_relay"]


def test_mail_server_used_to_send_malware_mail_is_spam_relay() -> None:
    assert "spam_relay" in types("本学メールサーバがEmotetマルウェアメールの送信に利用されました。")


def test_spam_pretending_to_be_the_organisation_is_not_spam_relay() -> None:
    assert types("当センターを装った迷惑メールが、不正に送信されている事実を確認しました。") == ["other"]


# --- DDoS and vulnerabilities ------------------------------------------------

def test_ddos_spelt_in_lower_case_is_ddos() -> None:
    assert "ddos" in types("外部から大量に情報を送りつけるDDos(ディードス)攻撃を受けたとみられます。")


def test_security_flaw_exploited_is_vulnerability_exploit() -> None:
    assert "vulnerability_exploit" in types("最新版でなく、セキュリティー上の欠点を悪用された可能性がある。")


def test_vulnerability_behind_the_intrusion_is_vulnerability_exploit() -> None:
    assert types("不正アクセスの原因となった脆弱性は除去しました。") == ["unauthorized_access", "vulnerability_exploit"]


# --- clause context ----------------------------------------------------------

def test_denial_after_a_finished_clause_does_not_cancel_the_cue() -> None:
    text = "DDoS攻撃を受けたとみられ、情報の抜き取りは確認されていない。"
    assert not is_negated(text, text.index("攻撃"))


def test_denial_in_the_same_clause_cancels_the_cue() -> None:
    text = "サーバーのウイルス感染や情報流出は確認されていない。"
    assert is_negated(text, text.index("や"))


def test_no_trace_cancels_the_cue() -> None:
    assert types("情報の外部流出や不正に持ち出された形跡はなく、誤って廃棄したとしている。") == ["loss_theft"]


def test_apology_for_the_worry_caused_is_not_advice() -> None:
    text = "不正アクセスによる漏えい事案につきましてご心配をおかけしました。"
    assert not is_advisory(text, text.index("による"))


def test_recurrence_prevention_in_a_title_is_not_advice() -> None:
    text = "「不正アクセスによる個人情報漏えい」に関する調査結果と再発防止策"
    assert not is_advisory(text, text.index("による"))


def test_effect_only_being_investigated_is_not_a_type() -> None:
    text = "個人情報の洗い出しと、改ざん等の影響について調査しました。"
    assert types(text) == ["other"]


def test_related_articles_are_not_read() -> None:
    text = "書類が所在不明となっている。\n\n関連記事\n\nハラスメント対策サイトが改ざん - 厚労省\n"
    assert related_links_start(text) == text.index("関連記事")
    assert types(text) == ["loss_theft"]


def test_cue_may_start_after_a_lookbehind() -> None:
    assert literal_prefix("(?<!コロナ)ウイルス(?:に)?感染") == "ウイルス"


def test_evidence_quotes_the_text_around_the_first_cue() -> None:
    evidence = classify_types("概要\n当社サーバーが第三者から不正アクセスを受けました。\n").evidence
    assert "不正アクセスを受けました" in evidence.text
    assert evidence.rule == "cues: unauthorized_access (不正アクセス)"


def test_weak_cue_is_marked_in_the_evidence() -> None:
    evidence = classify_types("ポータルサイトが外部から閲覧可能な状態でした。").evidence
    assert evidence.rule.startswith("cues: misconfiguration (weak: ")


def test_password_hard_to_guess_is_not_account_takeover() -> None:
    assert types("当社ではパスワードを推測されにくいものに設定しておりました。") == ["other"]


def test_how_members_log_in_is_not_account_takeover() -> None:
    assert types("会員はIDとパスワードを使用してログインする仕組みです。") == ["other"]


def test_a_threatening_message_is_not_ransomware() -> None:
    assert "ransomware" not in classify_types("お問い合わせフォームに脅迫文が入力され、外部の大学に送信されました。").value


def test_a_vulnerability_used_as_the_way_in_is_exploited() -> None:
    text = "アプリケーションに潜在していた脆弱性を侵入経路として、データベースに不正にアクセスされました。"
    assert "vulnerability_exploit" in classify_types(text).value


def test_a_remote_control_tool_installed_by_an_intruder_is_malware() -> None:
    assert "malware" in classify_types("調査の結果、当該PCに遠隔操作ソフトがインストールされていたことが判明しました。").value


def test_mail_that_can_no_longer_be_sent_is_a_system_failure() -> None:
    assert "system_failure" in classify_types("サイバー攻撃を受け、電子メールが一部送受信できなくなる障害が出ています。").value


def test_an_abused_auto_reply_form_sends_spam() -> None:
    text = "お問い合わせフォームが第三者に不正に利用され、自動返信メールの仕組みを悪用して外部にメールが送信されました。"
    assert "spam_relay" in classify_types(text).value


def test_handing_out_or_attaching_by_mistake_is_a_misdelivery() -> None:
    assert types("市立小学校における家庭個票の誤配付による個人情報の漏えいについて") == ["misdelivery"]
    assert types("退会希望者に、退会届と共に、管理上の事務書類1ファイルを添付してしまいました。") == ["misdelivery"]
    assert types("個人情報が書かれた紙が裏紙として使われ、授業で生徒に配られていた。") == ["misdelivery"]


def test_a_leak_by_staff_is_insider_misuse() -> None:
    assert types("市職員による個人情報の流出について、調査の結果をお知らせします。") == ["insider"]


def test_credentials_phished_then_used_are_an_account_takeover() -> None:
    text = "学生がフィッシングサイトへアクセスし、IDとパスワードを入力。作成者はこの情報を利用して学務システムにアクセスした。"
    assert "account_takeover" in types(text)
    assert "account_takeover" in types("これによりアカウント情報が窃取され、第三者による不正利用が可能な状態になった。")


def test_a_fake_virus_alert_quoted_is_no_infection() -> None:
    assert "malware" not in types("パソコンの画面に「ウイルスに感染した」と警告が表示され、職員が電話した。遠隔操作され不正アクセスを受けた。")


def test_a_service_stopped_in_the_headline_is_a_failure_further_down_next_to_an_attack_it_is_not() -> None:
    assert "system_failure" in types("ランサムウェアによる被害について\n\n電子カルテが使用不能となりました。")
    body = ("会員サイトで不正ログイン被害\n\n第三者がリスト型攻撃により会員サイトへ不正ログインした。" + "調査を続けている。" * 20
            + "\n会員ログイン機能を停止し、ログインが必要な機能が利用できなくなっている。")
    assert "system_failure" not in types(body)
    assert types("市のホームページが閲覧できない状態になった。" * 1) == ["system_failure"]


def test_personal_data_left_viewable_on_a_public_page_is_mis_publication() -> None:
    assert types("市ホームページに掲載したファイルで、個人情報が閲覧できる状態になっていました。") == ["misdelivery"]
    assert types("設定に不備があり、個人情報が閲覧できる状態になっていました。") == ["misconfiguration"]


def test_addresses_shown_to_the_other_recipients_are_mis_sent_mail() -> None:
    assert types("案内メールを送信した際、メールアドレスが他の受信者のメール内に表示された状態で送信されました。") == ["misdelivery"]


def test_an_attack_that_made_a_service_hard_to_reach_is_also_a_system_failure() -> None:
    text = "みなと市のホームページにサイバー攻撃か 一時的に接続しにくく\n市によると、DDoS攻撃の可能性があるということです。"
    assert sorted(types(text)) == ["ddos", "system_failure"]
    text = "みなと日報のサーバー、ランサムウェアに感染 新聞製作に影響が出ていると明らかにした。"
    assert sorted(types(text)) == ["ransomware", "system_failure"]
    text = "当サイトで一時的にアクセスがしづらい症状が発生しました。原因はDDoS攻撃です。"
    assert sorted(types(text)) == ["ddos", "system_failure"]


def test_phishing_or_suspicious_mail_sent_from_the_bodys_account_is_spam_sent() -> None:
    text = "職員のメールアカウントが第三者により不正使用され、約3万件の外部メールアドレス宛にフィッシングメールが送信されたことが判明しました。"
    assert "spam_relay" in types(text)
    text = "当社従業員のメールアドレスが不正利用され、不特定多数の方に不審メールが送信された事実を確認いたしました。"
    assert "spam_relay" in types(text)
    assert "spam_relay" not in types("当社を装ったフィッシングメールが送信されています。ご注意ください。")


def test_a_support_scam_that_gave_a_stranger_the_pc_is_unauthorized_access() -> None:
    text = ("パソコンに「ウイルス感染」の警告が表示された。局長が表示された連絡先に電話し、指示に従い遠隔操作ソフトをダウンロードした。"
            "その結果、相手方によりパソコン内の情報が閲覧された。")
    assert "unauthorized_access" in types(text)
    assert "unauthorized_access" in types("医師がインターネットサポート詐欺被害に遭いました。患者の情報が漏えいした懸念があります。")


def test_a_letter_sent_to_another_recipient_is_mis_sent() -> None:
    assert types("児童扶養手当に関する文書を別の受給者に送っていたことがわかりました。") == ["misdelivery"]
    assert types("機器の操作ミスが原因で、8名に別人の動画を提供していたことが判明しました。") == ["misdelivery"]


def test_a_title_naming_the_incident_and_the_response_opens_no_countermeasure_section() -> None:
    from services.parser.fields.context import countermeasure_spans

    text = ("みなと町情報流出事件の概要と今後の対応について\n事務局長が遠隔操作ソフトをダウンロードした。\n"
            "1. 再発防止策について\nセキュリティソフトを導入する。")
    spans = countermeasure_spans(text)
    assert spans == [(text.index("1. 再発防止策"), len(text))]


def test_a_pc_operated_remotely_by_a_stranger_or_data_taken_from_a_site_is_unauthorized_access() -> None:
    assert "unauthorized_access" in types("教諭が表示された連絡先に電話をかけ指示に従って操作したところ不正な遠隔操作が行われた。")
    assert "unauthorized_access" in types("私用のパソコンが遠隔操作されて情報が漏えいしたおそれがあると発表しました。")
    assert "unauthorized_access" in types("何者かが、同協会の会員専用ページから盗んだとみられるメールアドレスを公開していた。")


def test_papers_scattered_on_the_road_on_their_way_to_disposal_are_lost() -> None:
    text = "廃棄を委託した業者による処理施設への運搬途中、個人情報記載書類が道路上に散逸し、個人情報が流出する事態が生じました。"
    assert types(text) == ["loss_theft"]


def test_a_contractors_employee_copying_and_taking_out_records_is_insider() -> None:
    text = "再委託先の男性従業員が、患者情報をUSBメモリなどに複製し、持ち出していたことが分かりました。"
    assert types(text) == ["insider"]


def test_addresses_put_in_cc_where_bcc_was_due_are_a_misdelivery() -> None:
    text = ("ご案内する電子メールをお送りした際に、本来は BCC 機能を利用し、お客様の電子メールアドレスが表示されない設定を"
            "しなければならないところ、\nCC(カーボン・コピー)にお客様の電子メールアドレスを設定してしまいました。")
    assert types(text) == ["misdelivery"]
