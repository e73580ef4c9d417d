"""One report, several bodies' incidents. Fragments written for these tests."""

from __future__ import annotations

from services.parser.core import parse_post
from services.parser.several import parts


def subjects(text: str) -> list[str]:
    return [part.subject for part in parts(text.split("\n"))]


def test_bodies_that_each_announce_a_leak_are_separate_incidents() -> None:
    text = ("高松市は3日、委託先がランサムウェアに感染し、約2万人分の個人情報が漏えいしたと発表した。\n"
            "他にも丸亀市でおよそ5千件、善通寺市でも90人分の個人情報が漏えいしたということです。")
    assert subjects(text) == ["高松市", "丸亀市", "善通寺市"]


def test_a_contractor_named_with_its_clients_is_not_one_of_them() -> None:
    text = ("東都市は3日、業務を委託していた「アオバ印刷」がランサムウェアに感染し、個人情報が漏えいしたと発表した。\n"
            "印刷会社「アオバ印刷」では5月、サーバーが暗号化される被害が確認された。")
    assert subjects(text) == []


def test_numbered_items_of_one_announcement_are_one_incident_each() -> None:
    text = ("香川県は22日、FAXの誤送信が2件発生したと発表した。\n"
            "1件目は18日に、県の事務所が書類を誤った宛先に送信したというもの。\n"
            "2件目は10日に、県の土木事務所が業者名の書類を誤って送信したというもの。")
    assert subjects(text) == ["香川県", "香川県"]


def test_a_part_of_the_same_body_is_not_another_incident() -> None:
    text = ("犬山市は10日、市立小学校のホームページに不正アクセスがあり、改ざんされたと発表した。\n"
            "西犬山小学校では、不正アクセスによって記事の書き込みが2件確認された。")
    assert subjects(text) == []


def test_a_release_in_the_first_person_is_one_incident() -> None:
    text = ("このたび、当社の委託先が不正アクセスを受け、お客様の情報が流出しました。\n"
            "東都市では約3千件、西都町でも約2千件の情報が流出したことが判明しました。")
    assert subjects(text) == []


def test_each_body_becomes_an_incident_with_its_own_organisation() -> None:
    text = ("アオバ証券は16日、不正アクセスで顧客6人の口座から資金が流出する被害があったと発表した。\n\n"
            "金融庁によりますと、「ミドリ証券」では、ことし7月、委託していた業者が不正アクセスを受け、3万8千人の個人情報が漏れていたということです。")
    assert [i["organization"] for i in parse_post(text)] == ["アオバ証券", "ミドリ証券"]


def test_numbered_items_after_an_attribution_in_a_clipped_summary() -> None:
    text = ("沖縄県浦添市は、個人情報を含む文書の誤送付および所在不明が発生したと公表。\n"
            "市の説明によると、1件目は証明書の誤送付に関するものだったという。\n"
            "本来送付すべき相手を取り違え、証明書を入れ違いで送付した。\n"
            "2件目は、医療機関に送付した依頼文書の所在不明に関する事案。")
    assert subjects(text) == ["浦添市", "浦添市"]


def test_the_items_of_one_announcement_share_its_date_another_bodys_incident_does_not() -> None:
    text = ("ミナト大学病院は2024年5月13日、同院が保有する個人情報について複数の漏えい懸念事案を公表しました。\n"
            "1件目は所属医師のサポート詐欺被害による漏えい懸念です。医師のパソコンに患者2,003名の氏名が記録されており、漏えいの懸念が生じています。\n"
            "2件目は同院による胎児エコー動画の誤提供です。8名に別人の動画を提供していたことが判明しました。")
    assert [(i["organization"], i["disclosed_on"]) for i in parse_post(text)] == [
        ("ミナト大学病院", "2024-05-13"), ("ミナト大学病院", "2024-05-13")]
    text = ("アオバ証券は2024年8月16日、不正アクセスで顧客6人の口座から資金が流出する被害があったと発表した。\n\n"
            "金融庁によりますと、「ミドリ証券」では、ことし7月、委託していた業者が不正アクセスを受け、3万8千人の個人情報が漏れていたということです。")
    assert [(i["organization"], i["disclosed_on"]) for i in parse_post(text)] == [
        ("アオバ証券", "2024-08-16"), ("ミドリ証券", None)]
