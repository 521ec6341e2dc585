"""core.xlsx: the streaming .xlsx reader gives what openpyxl's read-only reader gives, with the shared strings on
disk instead of in memory."""

from __future__ import annotations

import datetime
import gc
import io
import sys
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from sqdj.core import xlsx
from sqdj.core.tabular import open_table


def _trimmed(row):
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def openpyxl_rows(data: bytes) -> list[tuple[int, list]]:
    """openpyxl read-only's rows, as (row number, values without trailing empties), empty rows left out."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    out = [(n, _trimmed(r)) for n, r in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)]
    wb.close()
    return [(n, r) for n, r in out if r]


def our_rows(data: bytes) -> list[tuple[int, list]]:
    reader = xlsx.XlsxReader(io.BytesIO(data))
    try:
        return [(n, _trimmed(r)) for n, r in reader.rows() if _trimmed(r)]
    finally:
        reader.close()


def saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_parity_with_openpyxl_on_a_workbook_of_every_kind_of_cell():
    wb = Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["姓名", "日期", "数", "真假", "公式", "空", "尾"])
    ws.append(["张三", datetime.datetime(2021, 7, 1), 42, True, "=1+1", None, "x"])
    ws.append(["  李四 ", datetime.datetime(1990, 1, 2, 8, 30), 3.5, False, "=SUM(C2:C3)", None, None])
    ws.append([None, None, None])  # an empty row
    ws.append(["001", datetime.date(1900, 2, 1), 1e20, None, "文字", None, "末"])
    ws["A7"] = "gap"  # rows 6 missing entirely
    ws["D7"] = datetime.time(13, 45)
    ws["G7"] = "far"
    ws["B8"] = CellRichText(["红", TextBlock(InlineFont(b=True), "色文字"), "尾"])
    ws["C8"] = "_x005F_x000D_ 转义"
    ws["A9"] = 45000
    ws["A9"].number_format = "yyyy年m月d日"  # a custom date format
    ws["B9"] = 45000.75
    ws["B9"].number_format = "[h]:mm:ss"  # a duration
    ws["C9"] = 1234.5
    ws["C9"].number_format = '"日期"0.00'  # quoted letters: not a date
    ws["D9"] = 45000
    ws["D9"].number_format = "[Red]0"  # a colour: not a date
    wb.create_sheet("second")["A1"] = "not read"
    data = saved(wb)
    ours = our_rows(data)
    assert ours == openpyxl_rows(data)
    assert ours[0] == (1, ["姓名", "日期", "数", "真假", "公式", "空", "尾"])
    assert dict(ours)[8][1] == "红色文字尾"  # rich-text runs joined


def test_parity_on_a_write_only_workbook_as_the_bench_writes_it():
    from bench.import_members import write_xlsx

    rows = [["张伟", "男", "汉族", "110101199001011234", datetime.date(1990, 1, 1), "大学本科"] for _ in range(50)]
    data = write_xlsx(rows)
    assert our_rows(data) == openpyxl_rows(data)


def _raw_xlsx(sheet_xml: str, shared: str | None = None, styles: str | None = None, date1904: bool = False) -> bytes:
    """A hand-made package: inline strings, cells without references, t="d", t="e", t="str", phonetic runs."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    r_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        types = [
            ('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/>'),
            ('<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.worksheet+xml"/>'),
        ]  # fmt: skip
        rels = [f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>']
        if shared is not None:
            types.append(
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/>'
            )
            rels.append(f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>')
            z.writestr("xl/sharedStrings.xml", f"<sst {ns}>{shared}</sst>")
        if styles is not None:
            types.append(
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.styles+xml"/>'
            )
            rels.append(f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>')
            z.writestr("xl/styles.xml", f"<styleSheet {ns}>{styles}</styleSheet>")
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(types) + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships {pkg}><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/_rels/workbook.xml.rels", f"<Relationships {pkg}>{''.join(rels)}</Relationships>")
        pr = ' date1904="1"' if date1904 else ""
        z.writestr(
            "xl/workbook.xml",
            f"<workbook {ns} {r_ns}><workbookPr{pr}/>"
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}><sheetData>{sheet_xml}</sheetData></worksheet>")
    return buf.getvalue()


STYLES = (
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/></numFmts>'
    '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="31"/></cellXfs>'
)


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl, about the minimal styles
def test_parity_on_a_hand_made_package():
    shared = (
        "<si><t>甲</t></si>"
        "<si><r><t>乙</t></r><r><rPr><b/></rPr><t xml:space='preserve'> 丙</t></r>"
        "<rPh sb='0' eb='1'><t>yi</t></rPh></si>"
        "<si><t/></si>"
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>'
        '<row r="3"><c t="inlineStr"><is><t>内联</t></is></c><c t="n"><v>7</v></c><c s="1"><v>44377</v></c>'
        '<c s="2"><v>44378.5</v></c><c t="d"><v>2021-07-01</v></c><c t="e"><v>#N/A</v></c>'
        '<c t="str"><f>A1</f><v>甲</v></c><c t="b"><v>1</v></c><c s="1"/></row>'
        '<row><c><v>1.0</v></c><c><v>-3</v></c><c t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c></row>'
    )
    data = _raw_xlsx(sheet, shared, STYLES)
    ours = our_rows(data)
    assert ours == openpyxl_rows(data)
    assert ours[0] == (1, ["甲", None, "乙 丙", ""])
    first_dates = [datetime.datetime(2021, 6, 30), datetime.datetime(2021, 7, 1, 12), datetime.date(2021, 7, 1)]
    assert ours[1][1][:5] == ["内联", 7, *first_dates]
    assert ours[2] == (4, [1.0, -3, "富文本"])


def test_east_asian_builtin_date_formats_and_the_1904_epoch():
    """Built-in format 31 (yyyy年m月d日, written by Excel and WPS in Chinese) is a date — openpyxl reads a number;
    a workbook of the 1904 date system counts from 1904-01-01."""
    sheet = '<row r="1"><c r="A1" s="3"><v>44377</v></c><c r="B1" s="1"><v>0</v></c></row>'
    assert our_rows(_raw_xlsx(sheet, styles=STYLES)) == [(1, [datetime.datetime(2021, 6, 30), datetime.time(0)])]
    assert our_rows(_raw_xlsx(sheet, styles=STYLES, date1904=True))[0][1][0] == datetime.datetime(2025, 7, 1)


def test_through_open_table_normalized():
    wb = Workbook()
    wb.active.append(["编码", "日期", "数"])
    wb.active.append(["001", datetime.datetime(2021, 7, 1), 5.0])
    with open_table(saved(wb), "x.xlsx") as stream:
        assert stream.headers == ["编码", "日期", "数"]
        assert list(stream.rows) == [(2, ["001", datetime.date(2021, 7, 1), "5"])]


def test_shared_strings_are_on_disk_not_in_memory():
    """100,000 distinct strings of 40 characters (some 12 MB in Python str objects): the table holds none of them;
    each comes back from the temporary file (a small cache aside)."""
    items = "".join(f"<si><t>{i:08d}{'党员姓名与身份证号码' * 3}</t></si>" for i in range(100_000))
    source = io.BytesIO(
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'.encode()
    )
    gc.collect()
    strings = xlsx.SharedStrings(source)
    try:
        assert len(strings) == 100_000
        held = sys.getsizeof(strings._cache) + sum(sys.getsizeof(s) for s in strings._cache.values())
        assert held < 64 * 1024
        assert strings[0].startswith("00000000党员")
        assert strings[99_999] == f"{99_999:08d}" + "党员姓名与身份证号码" * 3
        assert strings[12_345][:8] == "00012345"
        for i in range(0, 100_000, 7):
            assert strings[i][:8] == f"{i:08d}"
        assert len(strings._cache) <= xlsx.SharedStrings.CACHE
        with pytest.raises(IndexError):
            strings[100_000]
    finally:
        strings.close()


@pytest.mark.parametrize(
    "code,is_date",
    [
        ("yyyy-mm-dd", True),
        ("yyyy年m月d日", True),
        ("h:mm", True),
        ("[h]:mm:ss", True),
        ("0.00", False),
        ('"d"0', False),
        ("[Red]0", False),
        ("[$-804]General", False),
        ("#,##0_);[Red](#,##0)", False),
        ("@", False),
    ],
)
def test_date_formats(code, is_date):
    from openpyxl.styles.numbers import is_date_format

    assert xlsx.is_date_format(code) is is_date
    assert is_date_format(code) is is_date  # as openpyxl decides
