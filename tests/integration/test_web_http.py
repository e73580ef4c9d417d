"""The web view over HTTP: filters, paging, the JSON API, the token rule, escaping, read-only, live events.

A real aiohttp server on a free port over a real SQLite archive filled from the
demo corpus (parsed offline) plus a post holding a script.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.archive.store import ArchiveStore
from services.common.config import Config
from services.web.app import make_app, start_web
from tests.web_support import HOSTILE_ID, fill_archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    path = tmp_path_factory.mktemp("web-http") / "archive.sqlite3"
    return path, fill_archive(path, with_hostile=True)


@pytest.fixture
async def client(archive: tuple[Path, list[dict[str, Any]]]) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(archive[0]))) as opened:
        yield opened


async def api(client: TestClient, query: str, status: int = 200) -> Any:
    response = await client.get(f"/api/incidents?{query}")
    assert response.status == status, await response.text()
    return await response.json()


def _count(incidents: list[dict[str, Any]], keep: Any) -> int:
    return sum(1 for incident in incidents if keep(incident))


async def test_each_filter_selects_what_it_says(client: TestClient, archive: tuple[Path, list[dict[str, Any]]]) -> None:
    incidents = archive[1]
    cases = {
        "sector=healthcare": lambda i: i["sector"] == "healthcare",
        "sector=医療&sector=教育": lambda i: i["sector"] in ("healthcare", "education"),
        "type=ransomware": lambda i: "ransomware" in i["incident_types"],
        "type=ransomware&sector=manufacturing": lambda i: "ransomware" in i["incident_types"] and i["sector"] == "manufacturing",
        "org=東京都": lambda i: "東京都" in (i["organization"] or ""),
        "vendor=acmailer": lambda i: "acmailer" in i["vendors"],
        "since=2025-01-01&until=2025-03-04": lambda i: "2025-01-01" <= (i["disclosed_on"] or "") <= "2025-03-04",
        "min-affected=10000": lambda i: (i["affected"]["count"] or 0) >= 10000,
        "search=ランサムウェア": lambda i: "ランサムウェア" in i["body"] or "ランサムウェア" in (i["title"] or ""),
    }
    for query, keep in cases.items():
        expected = _count(incidents, keep)
        assert expected > 0, query
        page = await api(client, query)
        assert (page["total"], len(page["items"])) == (expected, expected), query
    assert (await api(client, "search=存在しない語句"))["total"] == 0


async def test_pages_cover_everything_once_newest_first(client: TestClient, archive: tuple[Path, list[dict[str, Any]]]) -> None:
    seen: list[dict[str, Any]] = []
    url = "/api/incidents?limit=5"
    while url:
        page = await (await client.get(url)).json()
        assert len(page["items"]) <= 5
        seen += page["items"]
        url = page["next_url"]
    assert len({item["incident_id"] for item in seen}) == len(seen) == len(archive[1])
    keys = [item["date"] for item in seen]
    assert keys == sorted(keys, reverse=True)

    html = await (await client.get("/incidents?sector=healthcare&limit=1")).text()
    next_link = re.search(r'id="next-page" href="([^"]+)"', html)
    assert next_link and "sector=healthcare" in next_link.group(1) and "limit=1" in next_link.group(1)
    second = await client.get(next_link.group(1).replace("&amp;", "&"))
    assert second.status == 200 and "医療" in await second.text()


async def test_mistakes_are_400_with_one_line(client: TestClient) -> None:
    for query, message in [("since=yesterday", "since: expected a date"), ("sector=hospital", "unknown sector 'hospital'"),
                           ("limit=0", "limit: expected 1 to 500"), ("after=nonsense", "not a page cursor")]:
        body = await api(client, query, 400)
        assert message in body["error"] and "\n" not in body["error"]
        page = await client.get(f"/incidents?{query}")
        assert page.status == 400 and message.split(" '")[0] in await page.text()
    assert (await client.get("/api/stats?by=planet")).status == 400


async def test_stats_and_one_incident(client: TestClient, archive: tuple[Path, list[dict[str, Any]]]) -> None:
    incidents = archive[1]
    stats = await (await client.get("/api/stats?by=month,sector")).json()
    assert sum(row["incidents"] for row in stats["rows"]) == len(incidents)
    top = await (await client.get("/api/stats?by=organization&limit=3&sector=manufacturing")).json()
    assert len(top["rows"]) == 3 and all(row["incidents"] == 1 for row in top["rows"])
    healthcare = next(i for i in incidents if i["sector"] == "healthcare")
    record = await (await client.get(f"/api/incidents/{healthcare['incident_id']}")).json()
    assert record["incident"]["organization"] == healthcare["organization"]
    assert [a["subscription"] for a in record["alerts"]] == ["hospitals"]
    assert (await client.get("/api/incidents/inc-none")).status == 404
    assert (await client.get("/incidents/inc-none")).status == 404


async def test_a_post_holding_a_script_renders_as_text(client: TestClient) -> None:
    for url in (f"/incidents/{HOSTILE_ID}", "/incidents", "/"):
        response = await client.get(url)
        html = await response.text()
        assert response.status == 200
        assert "<script>document" not in html and "<img src=x" not in html, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = await (await client.get(f"/incidents/{HOSTILE_ID}")).text()
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


async def test_nothing_changes_state(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for url in ("/", "/incidents", "/api/incidents"):
            assert (await client.request(method, url)).status == 405


async def test_no_archive_yet_is_a_clear_503(tmp_path: Path) -> None:
    async with TestClient(TestServer(make_app(tmp_path / "archive.sqlite3"))) as client:
        page = await client.get("/")
        assert page.status == 503 and "no archive yet" in await page.text()
        assert "no archive yet" in (await api(client, "", 503))["error"]


async def test_live_events_follow_new_incidents(tmp_path: Path, archive: tuple[Path, list[dict[str, Any]]]) -> None:
    path = tmp_path / "archive.sqlite3"
    with ArchiveStore(path) as store:
        store.commit(archive[1][:2])
        async with TestClient(TestServer(make_app(path))) as client:
            response = await client.get("/api/events")
            assert response.headers["Content-Type"] == "text/event-stream"
            first = await _event(response)
            store.commit(archive[1][2:3])
            second = await _event(response)
            assert second["newest"] == first["newest"] + 1
            response.close()


async def _event(response: aiohttp.ClientResponse) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            line = await response.content.readline()
            if line.startswith(b"data: "):
                return orjson.loads(line[6:])


async def test_off_loopback_a_token_is_required_and_generated_once(tmp_path: Path,
                                                                   archive: tuple[Path, list[dict[str, Any]]]) -> None:
    (tmp_path / "archive.sqlite3").write_bytes(archive[0].read_bytes())
    printed: list[str] = []
    server = await start_web(Config(state_dir=tmp_path), host="0.0.0.0", port=0, announce=printed.append)
    try:
        assert len(printed) == 1 and server.token and f"?token={server.token}" in printed[0]
        base = server.url.replace("0.0.0.0", "127.0.0.1")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:  # unsafe: cookies of an IP
            assert (await session.get(f"{base}api/incidents")).status == 401
            assert (await session.get(f"{base}api/incidents", headers={"Authorization": "Bearer wrong"})).status == 401
            ok = await session.get(f"{base}api/incidents", headers={"Authorization": f"Bearer {server.token}"})
            assert ok.status == 200
            first = await session.get(f"{base}incidents?sector=healthcare&token={server.token}", allow_redirects=False)
            assert first.status == 303 and first.headers["Location"] == "/incidents?sector=healthcare"
            assert "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Strict" in first.headers["Set-Cookie"]
            followed = await session.get(f"{base}incidents?sector=healthcare")  # the cookie now
            assert followed.status == 200
    finally:
        await server.close()

    server = await start_web(Config(state_dir=tmp_path), host="127.0.0.1", port=0, announce=printed.append)
    try:
        assert server.token is None and len(printed) == 1
        async with aiohttp.ClientSession() as session:
            assert (await session.get(f"{server.url}api/incidents")).status == 200
    finally:
        await server.close()


async def test_pages_are_compressed_for_clients_that_accept_it(client: TestClient) -> None:
    zipped = await client.get("/", headers={"Accept-Encoding": "gzip"})
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    assert zipped.headers.get("Content-Encoding") == "gzip" and "Content-Encoding" not in plain.headers
    assert await zipped.text() == await plain.text()


async def test_without_a_token_only_loopback_host_names_are_answered(client: TestClient) -> None:
    assert (await client.get("/api/incidents", headers={"Host": "localhost:8480"})).status == 200
    assert (await client.get("/api/incidents", headers={"Host": "[::1]:8480"})).status == 200
    rebound = await client.get("/api/incidents", headers={"Host": "attacker.example:8480"})
    assert rebound.status == 421 and "loopback" in await rebound.text()
