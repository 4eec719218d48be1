"""Every `baton` command answers input it cannot use with one line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main

Capture = pytest.CaptureFixture[str]
NOT_UTF8 = b"#10\xff01".decode("utf-8", "surrogateescape")  # what Python makes of `$'#10\xff01'`


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'floor.sqlite3'}"


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ("order", "show", NOT_UTF8),
        ("order", "cancel", NOT_UTF8, "--reason", "customer asked"),
        ("orders", "--status", NOT_UTF8),
        ("picklists", "--status", NOT_UTF8),
        ("picklist", "reassign", NOT_UTF8),
        ("waves", "release", "--carrier", NOT_UTF8),
        ("operators", "add", "--badge", "OP-7", "--name", NOT_UTF8, "--role", "picker"),
        ("scan", "patterns", "--set", f"tote={NOT_UTF8}"),
    ],
)
def test_an_argument_that_is_not_utf8_is_refused(
    url: str, capsys: Capture, argv: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, "--database", url, *argv)
    line = one_line(err)
    assert (code, out) == (2, "")
    assert "#10\\xff01' is not valid UTF-8 text" in line


def test_the_option_with_the_bad_text_is_named(url: str, capsys: Capture) -> None:
    _, _, err = run(capsys, "--database", url, "waves", "release", "--carrier", NOT_UTF8)
    assert one_line(err).startswith("baton: --carrier '#10\\xff01' is not valid UTF-8")


def test_an_unforeseen_failure_is_one_line_and_debug_shows_where(
    url: str, capsys: Capture, tmp_path: Path
) -> None:
    argv = ("labels", "locations", "--aisle", "9" * 30, "--printer", f"pdf:{tmp_path}")
    code, _, err = run(capsys, "--database", url, *argv)
    assert code == 2
    assert one_line(err).endswith("(run again with --debug to see where)")
    code, _, err = run(capsys, *argv, "--database", url, "--debug")
    assert code == 2 and "Traceback (most recent call last)" in err


def test_database_and_debug_go_before_or_after_the_command(url: str, capsys: Capture) -> None:
    assert run(capsys, "operators", "add", "--badge", "OP-7", "--name", "Ana", "--role",
               "picker", "--pin", "1234", "--database", url)[0] == 0  # fmt: skip
    before = run(capsys, "--database", url, "operators")
    after = run(capsys, "operators", "--database", url)
    assert before == after and "OP-7" in after[1]
    code, _, _ = run(capsys, "order", "show", "#1", "--database", url, "--debug")
    assert code == 1  # no such order: refused, with the trace asked for, but not a crash


def test_a_usage_error_is_one_line_with_where_to_look(url: str, capsys: Capture) -> None:
    code, _, err = run(capsys, "--database", url, "order", "show")
    assert code == 2
    assert one_line(err) == (
        "baton order show: the following arguments are required: number "
        "(see `baton order show --help`)"
    )
    assert run(capsys, "order", "--help")[0] == 0


def test_a_database_url_baton_cannot_use(capsys: Capture) -> None:
    for bad in ("nonsense", "mysql://db/floor"):
        code, _, err = run(capsys, "--database", bad, "orders")
        assert code == 2 and one_line(err).startswith("baton: cannot use the database URL: ")


def test_screenshot_refuses_a_size_it_cannot_use(tmp_path: Path, capsys: Capture) -> None:
    for size in ("1600", "1600x", "wide", "99999x1000"):
        argv = ("screenshot", "login", "--out", str(tmp_path / "x.png"), "--size", size)
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert f"'{size}' is not a window size: give WIDTHxHEIGHT" in one_line(err)
    assert not (tmp_path / "x.png").exists()


def test_replay_refuses_an_unknown_key_before_it_starts(
    url: str, tmp_path: Path, capsys: Capture
) -> None:
    script = tmp_path / "keys.scans"
    script.write_text("OP-1001\n!F5\n!F99\n", encoding="utf-8")
    code, out, err = run(capsys, "--database", url, "replay", str(script), "--screen", "picking")
    assert (code, out) == (2, "")
    assert one_line(err) == (
        "baton: keys.scans line 3: no key named 'F99'; use F1-F12, Enter or Escape"
    )
    script.write_bytes(b"OP-1001\n\xff\n")
    code, _, err = run(capsys, "--database", url, "replay", str(script), "--screen", "picking")
    assert code == 2 and one_line(err) == "baton: keys.scans is not UTF-8 text (byte 9)"


def test_json_orders_python_cannot_decode_are_rejected_and_the_rest_land(
    url: str, tmp_path: Path, capsys: Capture
) -> None:
    good = '{"order_number": "J%d", "lines": [{"sku": "MUG-0001", "quantity": 1}]}'
    elements = [
        good % 1,
        '{"order_number": "J2", "note": ' + "[" * 3000 + "]" * 3000 + ', "lines": []}',
        good % 3,
        '{"order_number": "J4", "lines": [{"sku": "MUG-0001", "quantity": ' + "1" * 5000 + "}]}",
        good % 5,
        '{"order_number": "J6", "lines": [{"sku": "MUG-0001", "quantity": NaN}]}',
        good % 7,
    ]
    path = tmp_path / "orders.json"
    path.write_text("[\n" + ",\n".join(elements) + "\n]\n", encoding="utf-8")
    code, out, err = run(
        capsys, "--database", url, "import", "orders", str(path), "--format", "json"
    )
    assert (code, err) == (1, "")
    assert out.splitlines()[0].startswith("orders: 4 received")
    assert [line for line in out.splitlines() if "rejected line" in line] == [
        "  rejected line 3: this order nests lists or objects too deeply to be read",
        "  rejected line 5: lines[0].quantity must be at most 1,000,000, "
        "got '111111111111111111111111111111111111111… (5,000 characters)'",
        "  rejected line 7: lines[0].quantity must be a whole number above 0, got 'NaN'",
    ]
    code, out, _ = run(capsys, "--database", url, "import", "orders", str(path), "--format", "json")
    assert code == 1 and "0 received" in out and "4 already received" in out
