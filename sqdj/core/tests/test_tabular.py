import datetime
import io

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from sqdj.core.tabular import UnreadableFile, escape_cell, read_table, unescape_cell, write_table


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_utf8_bom_and_gbk_read_the_same():
    text = "组织编码,组织名称\nA1,中共甲社区委员会\n"
    for data in (text.encode("utf-8"), ("\ufeff" + text).encode("utf-8"), text.encode("gbk")):
        table = read_table(data, "x.csv")
        assert table.headers == ["组织编码", "组织名称"]
        assert table.rows == [(2, ["A1", "中共甲社区委员会"])]


def test_xlsx_keeps_row_numbers_dates_and_formulas():
    data = xlsx([["编码", "日期"], ["001", datetime.datetime(2021, 7, 1)], [None, None], ["=1+1", 5.0]])
    table = read_table(data, "x.xlsx")
    assert table.rows[0] == (2, ["001", datetime.date(2021, 7, 1)])
    assert table.rows[1] == (4, ["=1+1", "5"])  # the empty row 3 is skipped, numbering kept


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "x.csv", "empty"),
        (b"   \n\n", "x.csv", "empty"),
        (b"\x00\x01\x02binary\x00", "x.csv", "not a spreadsheet"),
        (b"PK\x03\x04garbage", "x.xlsx", "not a valid .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "x.xls", "not a valid .xlsx"),
    ],
)
def test_unreadable_files(data, name, message):
    with pytest.raises(UnreadableFile) as exc:
        read_table(data, name)
    assert message in str(exc.value).lower() or exc.value.args


@override_settings(SQDJ_IMPORT_MAX_BYTES=100)
def test_too_large():
    with pytest.raises(UnreadableFile):
        read_table(b"a,b\n" + b"1,2\n" * 100, "x.csv")


@override_settings(SQDJ_IMPORT_MAX_UNPACKED_BYTES=1000)
def test_zip_bomb_guard():
    data = xlsx([["x" * 2000]])
    with pytest.raises(UnreadableFile):
        read_table(data, "x.xlsx")


def test_formula_escaping_round_trips():
    for v in ("=CMD|' /C calc'!A0", "+1", "-2", "@SUM(1)"):
        assert escape_cell(v).startswith("'")
        assert unescape_cell(escape_cell(v)) == v
    assert escape_cell("普通文字") == "普通文字"
    assert unescape_cell("'普通") == "'普通"


def test_written_xlsx_keeps_codes_as_text_and_escapes():
    data = write_table(["编码", "名称", "日期"], [["007", "=HYPERLINK(1)", datetime.date(2020, 1, 2)]], "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "007"
    assert ws["B2"].value == "'=HYPERLINK(1)"
    assert ws["C2"].value.date() == datetime.date(2020, 1, 2)
    csv_data = write_table(["编码"], [["=1"]], "csv")
    assert csv_data.startswith("\ufeff".encode())
    assert "'=1" in csv_data.decode("utf-8-sig")
