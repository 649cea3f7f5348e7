"""The command line: import, ner, stats, export, and one-line errors that change nothing."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import main
from tests.conftest import ROOT, SEED


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def cli(*args: str):
    return CliRunner().invoke(main.cli, list(args), catch_exceptions=False)


def store_bytes(db: Path) -> bytes:
    """The store's content as a dump (WAL-safe) for 'unchanged' checks."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump()).encode()
    finally:
        conn.close()


def test_import_ner_stats_export_end_to_end(tmp_path):
    """The foundation's promise: one document, >80 suggestions incl. Russia/Turkey/Iran, idempotent."""
    db, out = tmp_path / "X.db", tmp_path / "X.jsonl"
    assert run("import", "--db", str(db), str(ROOT / "seeds")).returncode == 0
    assert run("ner", "--db", str(db)).returncode == 0
    stats = json.loads(run("stats", "--db", str(db), "--json").stdout)
    assert stats["documents"] == 1 and stats["entities_by_status"]["suggested"] > 80
    assert stats["entities_by_label"]["GPE"] > 20

    assert cli("import", "--db", str(db), str(ROOT / "seeds")).exit_code == 0
    ner_again = cli("ner", "--db", str(db))
    assert "0 suggestions added" in ner_again.output
    assert json.loads(cli("stats", "--db", str(db), "--json").output) == stats

    assert cli("export", "--db", str(db), "--format", "jsonl", "--out", str(out)).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records = [r for r in records if "text" in r]
    assert len(records) == 1
    rec = records[0]
    texts = {rec["text"][s["start"]:s["end"]] for s in rec["spans"]}
    assert {"Russia", "Turkey", "Iran"} <= texts and len(rec["spans"]) > 80
    assert "tokens" not in rec  # Arcmark's own record; Prodigy's task shape is `prodigy`

    accepted = cli("export", "--db", str(db), "--format", "prodigy", "--out", str(out))
    assert accepted.exit_code == 0
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["spans"] == [] and rec["answer"] == "accept"  # suggestions are no answers
    tokens = rec["tokens"]
    for s in rec["spans"]:
        assert tokens[s["token_start"]]["start"] <= s["start"] < tokens[s["token_start"]]["end"]
        assert tokens[s["token_end"]]["start"] < s["end"] <= tokens[s["token_end"]]["end"]
    assert all(rec["text"][t["start"]:t["end"]] == t["text"] for t in tokens)


@pytest.mark.parametrize("case", ["missing", "no-text-files", "cp1251"])
def test_user_errors_are_one_line_exit_1_and_change_nothing(tmp_path, case):
    db = tmp_path / "s.db"
    assert run("import", "--db", str(db), str(SEED)).returncode == 0
    before = store_bytes(db)
    if case == "missing":
        target = tmp_path / "nope.txt"
    elif case == "no-text-files":
        target = tmp_path / "empty"
        target.mkdir()
        (target / "picture.png").write_bytes(b"\x89PNG\r\n")
    else:
        target = tmp_path / "russian.txt"
        target.write_bytes("Москва и Анкара подписали соглашение о поставках С-400.\n".encode("cp1251"))
    result = run("import", "--db", str(db), str(target))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("arcmark: ") and "Traceback" not in result.stderr
    assert store_bytes(db) == before
    if case == "cp1251":
        assert "--encoding" in errors[0]
        ok = run("import", "--db", str(db), "--encoding", "cp1251", str(target))
        assert ok.returncode == 0


def test_import_folder_with_spaces_and_non_latin_names(tmp_path):
    folder = tmp_path / "новости 2017"
    folder.mkdir()
    shutil.copy(SEED, folder / "Турция и Россия.txt")
    (folder / "second one.md").write_text("# Iran talks\n\nIran met Turkey in Astana.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    result = cli("import", "--db", str(db), str(folder))
    assert result.exit_code == 0
    stats = json.loads(cli("stats", "--db", str(db), "--json").output)
    assert stats["documents"] == 2


def test_unknown_export_format_and_missing_store_are_clear(tmp_path):
    result = run("export", "--db", str(tmp_path / "none.db"), "--format", "xml", "--out", "x")
    assert result.returncode == 1 and "unknown format 'xml'" in result.stderr
    result = run("stats", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1 and "no such store" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_arcmark_db_environment_variable_selects_the_store(tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("ARCMARK_DB", str(db))
    assert CliRunner().invoke(main.cli, ["import", str(SEED)]).exit_code == 0
    assert db.exists()


def test_every_command_has_help_text():
    """Docs cannot rot: each command and option explains itself."""
    for name, command in main.cli.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"
        assert cli(name, "--help").exit_code == 0


def test_a_folder_given_as_the_store_is_one_line(tmp_path):
    result = run("stats", "--db", str(tmp_path))
    assert result.returncode == 1 and result.stderr.strip().count("\n") == 0
    assert "is a folder, not a store file" in result.stderr
