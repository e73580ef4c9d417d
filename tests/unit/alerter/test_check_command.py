"""`jikenbo subscriptions check`: validate a file and preview its matches without a broker."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from services.cli import main
from services.common import serde


def empty_config(tmp_path: Path) -> str:
    (tmp_path / "jikenbo.toml").write_text("")
    return str(tmp_path / "jikenbo.toml")


def test_check_lists_what_each_subscription_would_have_matched(tmp_path: Path) -> None:
    subs = tmp_path / "subs.toml"
    subs.write_text('[[subscriptions]]\nname = "hospitals"\nsectors = ["医療"]\n\n[[subscriptions]]\nname = "nttcom"\nvendors = ["NTT Com"]\n')
    incidents = tmp_path / "incidents.jsonl"
    rows = [
        {"incident_id": "a", "organization": "市立病院", "sector": "healthcare", "incident_types": ["ransomware"], "source": {"url": "https://x/a"}},
        {"incident_id": "b", "organization": "某社", "sector": "other", "vendors": ["NTTコミュニケーションズ株式会社"]},
        {"kind": "non_incident", "text": "旅行記"},
    ]
    incidents.write_text("\n".join(serde.dumps(r).decode() for r in rows) + "\n")
    result = CliRunner().invoke(main, ["subscriptions", "check", "--config", empty_config(tmp_path), str(subs), "--incidents", str(incidents)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("2 subscription(s) OK")
    assert "  hospitals: 1 incident(s)" in lines
    assert any("市立病院 | ランサムウェア | 医療" in line for line in lines)
    assert "  nttcom: 1 incident(s)" in lines


def test_check_reports_the_line_and_field_of_a_mistake(tmp_path: Path) -> None:
    subs = tmp_path / "subs.toml"
    subs.write_text('[[subscriptions]]\nname = "x"\nsectors = ["医療"]\nchannels = ["pager"]\n')
    result = CliRunner().invoke(main, ["subscriptions", "check", "--config", empty_config(tmp_path), str(subs), "--no-broker"])
    assert result.exit_code == 2
    assert "subs.toml:4: subscriptions #1 (x), field 'channels': unknown channel 'pager'" in result.output
