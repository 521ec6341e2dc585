"""The import pipeline in constant memory (issue 11): rows read as they are used, streaming importers that see a
chunk at a time, compact duplicate bookkeeping, a cap on the messages kept. Behaviour only: the memory and time
figures are bench/import_members.py's."""

from __future__ import annotations

import gc
import random
import weakref

import pytest
from django.test import override_settings

from sqdj.core import idnumber
from sqdj.core.importing import FirstRows, Importer, MessageList, ParsedRow, RowMessage, Spill
from sqdj.core.tabular import UnreadableFile, open_table
from sqdj.core.tests.test_tabular import xlsx


def csv_bytes(rows, encoding="utf-8"):
    return "".join(",".join(map(str, r)) + "\n" for r in rows).encode(encoding)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@override_settings(SQDJ_IMPORT_MAX_ROWS=3)
def test_rows_are_read_as_they_are_taken(kind):
    """Too many rows: the old reader failed before returning anything; the stream hands out the first rows and
    fails only on reaching the limit — nothing is read ahead."""
    table = [["编码", "名称"], *([f"A{i}", "甲"] for i in range(10))]
    data = xlsx(table) if kind == "xlsx" else csv_bytes(table)
    with open_table(data, f"x.{kind}") as stream:
        assert stream.headers == ["编码", "名称"]
        assert next(stream.rows) == (2, ["A0", "甲"])
        assert next(stream.rows) == (3, ["A1", "甲"])
        with pytest.raises(UnreadableFile):
            list(stream.rows)


def test_row_estimates():
    table = [["编码"], ["A"], [None], ["B"]]
    with open_table(xlsx(table), "x.xlsx") as stream:  # the sheet's dimension: 4 rows, one the header
        assert stream.estimated_rows() == 3
        assert [n for n, _cells in stream.rows] == [2, 4]  # the empty row 3 left out, the numbering kept
    with open_table(csv_bytes(table), "x.csv") as stream:
        assert stream.estimated_rows() == 3
        assert stream.estimated_rows(done=7) == 7  # never fewer than already read


def test_gbk_is_recognized_after_a_long_ascii_start():
    """The encoding is decided on the whole file (read piece by piece), not on its first piece."""
    table = [["编码", "名称"], *([f"A{i}", "x" * 20] for i in range(60_000)), ["B1", "中共甲社区委员会"]]
    with open_table(csv_bytes(table, "gbk"), "x.csv") as stream:
        assert stream.headers == ["编码", "名称"]
        *_rest, last = stream.rows
    assert last == (60_002, ["B1", "中共甲社区委员会"])


def test_first_rows_matches_a_dict():
    rng = random.Random(11)
    numbers = [idnumber.compose("120101", idnumber_birth(rng), rng.randint(0, 999)) for _ in range(20_000)]
    numbers += rng.sample(numbers, 2000) + ["not-an-id", "not-an-id", ""]  # duplicates; odd keys go to a dict
    first = FirstRows(idnumber.as_int, bits=4)  # small at first: it grows many times
    expected: dict = {}
    for row, n in enumerate(numbers, start=2):
        assert first.setdefault(n, row) == expected.setdefault(n, row)
    assert len(first.keys) <= 4 * len(set(numbers))  # 16–32 bytes a number, not a dict's hundred


def idnumber_birth(rng):
    import datetime

    return datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randint(0, 25_000))


def test_id_numbers_as_distinct_integers():
    body = "12010119700504123"
    ints = {idnumber.as_int(body + c) for c in "0123456789X"}
    assert len(ints) == 11 and all(0 < i < 2**61 for i in ints)
    assert idnumber.as_int("12010119700504123x") is None  # not normalized: not an ID number here


def test_message_list_keeps_the_first_in_report_order():
    messages = MessageList(3, lambda m: (m.row, m.column))
    for row in [9, 8, 7, 6, 5, 4, 3, 2, 10, 11]:
        messages.append(RowMessage(row, "A", f"行{row}"))
    assert messages.total == 10 and len(messages) < 6
    listed, total = messages.report("另有 %(n)d 个（前 %(shown)d 个）")
    assert [m.row for m in listed[:3]] == [2, 3, 4]
    assert listed[3] == RowMessage(0, "", "另有 7 个（前 3 个）") and total == 10
    few = MessageList(3, lambda m: m.row)
    few.append(RowMessage(2, "", "x"))
    assert few.report("%(n)d %(shown)d") == ([RowMessage(2, "", "x")], 0)


def test_spill_gives_back_row_and_data_chunk_by_chunk():
    spill = Spill()
    try:
        spill.add([ParsedRow(2, {"raw": "x"}, {"a": 1}), ParsedRow(3, {}, {"a": None})])
        spill.add([ParsedRow(5, {}, {"a": "乙"})])
        for _twice in range(2):
            assert [[(pr.row, pr.data, pr.values) for pr in chunk] for chunk in spill] == [
                [(2, {"a": 1}, {}), (3, {"a": None}, {})],
                [(5, {"a": "乙"}, {})],
            ]
    finally:
        spill.close()


class Codes(Importer):
    """A streaming importer of one column that remembers what it saw."""

    kind = "test-codes"
    headers = ["编码"]
    required = {"编码"}
    streaming = True
    chunk_size = 2

    def __init__(self):
        super().__init__()
        self.earlier: list = []  # weak references to the parsed rows of the chunks before
        self.alive_when_parsing: list[int] = []
        self.chunks: list[list[int]] = []
        self.written: list[list[tuple]] = []

    def parse_row(self, pr):
        gc.collect()
        self.alive_when_parsing.append(sum(ref() is not None for ref in self.earlier))
        pr.data["code"] = self.text(pr, "编码")
        if pr.data["code"] == "BAD":
            self.error(pr.row, "编码", "坏")

    def check_chunk(self, rows):
        self.chunks.append([pr.row for pr in rows])
        self.earlier.extend(weakref.ref(pr) for pr in rows)
        for pr in rows:
            if pr.data["code"] == "UNKNOWN":
                self.error(pr.row, "编码", "未知")

    def apply_chunk(self, rows, progress=None):
        self.written.append([(pr.row, pr.data["code"]) for pr in rows])
        return len(rows), 0, 0


@pytest.mark.django_db
def test_a_streaming_importer_never_holds_the_whole_file():
    data = csv_bytes([["编码"], *([f"C{i}"] for i in range(7))])
    importer = Codes()
    seen = []
    result = importer.run(data, "c.csv", progress=lambda done, total, stage="write": seen.append((stage, done, total)))
    assert result.ok and result.created == 7
    assert importer.chunks == [[2, 3], [4, 5], [6, 7], [8]]
    # while a row is parsed, no row of an earlier chunk is still in memory (at most the one chunk being built)
    assert max(importer.alive_when_parsing) == 0
    assert importer.written == [[(2, "C0"), (3, "C1")], [(4, "C2"), (5, "C3")], [(6, "C4"), (7, "C5")], [(8, "C6")]]
    assert [s for s in seen if s[0] == "check"][-1] == ("check", 7, 7)
    assert [s for s in seen if s[0] == "write"] == [("write", n, 7) for n in (2, 4, 6, 7)]


@pytest.mark.django_db
def test_whole_file_checks_run_on_the_rows_that_parsed():
    """Every error of the file in one pass: a file-level problem in an early chunk is reported together with a later
    row's own error (the whole-file checks see only the rows that parsed), and nothing is written either way."""
    importer = Codes()
    data = csv_bytes([["编码"], ["A"], ["UNKNOWN"], ["B"], ["C"], ["BAD"]])
    result = importer.run(data, "c.csv")
    assert [(e.row, e.message) for e in result.errors] == [(3, "未知"), (6, "坏")] and not importer.written
    assert importer.chunks == [[2, 3], [4, 5]]  # row 6 failed on its own: not handed to check_chunk
    importer = Codes()
    result = importer.run(csv_bytes([["编码"], ["A"], ["UNKNOWN"], ["B"], ["C"], ["UNKNOWN"]]), "c.csv")
    assert [(e.row, e.message) for e in result.errors] == [(3, "未知"), (6, "未知")] and not importer.written


@pytest.mark.django_db
@override_settings(SQDJ_IMPORT_MAX_MESSAGES=4)
def test_errors_are_capped_with_a_count_of_the_rest():
    importer = Codes()
    result = importer.run(csv_bytes([["编码"], *(["BAD"] for _ in range(10)), ["", "x"]]), "c.csv")
    assert not result.ok and result.errors_total == 12  # the last row: required, and a cell beyond the template
    assert [e.row for e in result.errors[:4]] == [2, 3, 4, 5] and len(result.errors) == 5
    assert result.errors[4].row == 0 and "8" in result.errors[4].message and "4" in result.errors[4].message
    assert result.as_dict()["errors_total"] == 12 and "warnings_total" not in result.as_dict()
    assert "errors_total" not in Codes().run(csv_bytes([["编码"], ["A"]]), "c.csv").as_dict()


@pytest.mark.django_db
@override_settings(SQDJ_IMPORT_MAX_ROWS=4)
def test_a_file_found_too_long_half_way_reports_only_that():
    importer = Codes()
    result = importer.run(csv_bytes([["编码"], ["BAD"], *(["A"] for _ in range(10))]), "c.csv")
    assert [(e.row, e.column) for e in result.errors] == [(0, "")] and "4" in result.errors[0].message
    assert not importer.written
