"""`jikenbo ingest` reading a directory it does not trust: no links followed, one bad file skipped, not fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.fetcher.ingest import posts_for_paths

MAX = 10 * 1024 * 1024
TEXT = "株式会社サンプル 不正アクセスに関するお知らせ\n\n本文です。"


def ingest(*paths: Path, max_bytes: int = MAX) -> tuple[list[str], list[tuple[str, str]]]:
    """(titles of the posts, (path, reason) of each file skipped)."""
    skipped: list[tuple[str, str]] = []
    posts = posts_for_paths([str(p) for p in paths], max_bytes, lambda path, reason: skipped.append((str(path), reason)))
    return [p["title"] for p in posts], skipped


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    (root / "sub" / "b.html").write_bytes("<p>個人情報の漏えいについて</p>".encode("cp932"))
    return root


def test_symlinked_files_and_directories_inside_the_tree_are_skipped_with_a_warning(archive: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("ssh-rsa AAAA 秘密の鍵", encoding="utf-8")
    (archive / "leak.txt").symlink_to(outside / "secret.txt")
    (archive / "linked").symlink_to(outside, target_is_directory=True)
    (archive / "again.txt").symlink_to(archive / "a.txt")  # inside the tree: would only repeat a.txt

    titles, skipped = ingest(archive)

    assert titles == ["株式会社サンプル 不正アクセスに関するお知らせ", "個人情報の漏えいについて"]
    assert skipped == [
        (str(archive / "linked"), "symbolic link to a directory, not followed"),
        (str(archive / "again.txt"), "symbolic link, not followed"),
        (str(archive / "leak.txt"), "symbolic link, not followed"),
    ]


def test_a_link_named_on_the_command_line_is_read_as_the_user_asked(archive: Path, tmp_path: Path) -> None:
    link = tmp_path / "named.txt"
    link.symlink_to(archive / "a.txt")
    assert ingest(link) == (["株式会社サンプル 不正アクセスに関するお知らせ"], [])


def test_binary_undecodable_and_oversized_files_are_skipped_and_the_rest_ingested(archive: Path) -> None:
    (archive / "0-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (archive / "1-latin1.txt").write_bytes("caf\xe9 \xff\xfe".encode("latin-1"))
    (archive / "2-big.md").write_text("あ" * 2000, encoding="utf-8")

    titles, skipped = ingest(archive, max_bytes=5000)

    assert titles == ["株式会社サンプル 不正アクセスに関するお知らせ", "個人情報の漏えいについて"]
    assert skipped == [
        (str(archive / "0-image.txt"), "binary file (NUL byte at offset 8)"),
        (str(archive / "1-latin1.txt"), "not UTF-8, Shift_JIS or EUC-JP text"),
        (str(archive / "2-big.md"), "6,000 bytes, over fetcher.max_bytes (5,000)"),
    ]


def test_an_unreadable_file_is_skipped(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (archive / "locked.txt").write_text(TEXT, encoding="utf-8")
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:  # the tests run as root, which reads a file whatever its mode
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert ingest(archive)[1] == [(str(archive / "locked.txt"), "cannot read (Permission denied)")]
