"""The tabular pipeline without the database: reading files whatever their name claims,
mapping headers, parsing cells, and writing workbooks."""

import codecs
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from gongxin.core.tabular import columns as c
from gongxin.core.tabular import reading
from gongxin.core.tabular.columns import CellError, Column, column_letter, map_headers
from gongxin.core.tabular.files import write_error_report, write_export, write_template
from gongxin.core.tabular.importing import ImportResult, RowError
from gongxin.core.tabular.reading import (
    MAX_CELL_CHARS,
    FormulaCell,
    NumberText,
    TableFileError,
    detect_encoding,
    open_table,
)
from gongxin.core.tabular.writing import XlsxWriter

HEADER = ["统一社会信用代码", "企业名称", "所属区县"]
ROWS = [
    ["91360100MA35H1LW8A", "南昌江铃汽车零部件有限公司", "南昌县"],
    ["91110000600037341L", "江西洪都精密制造有限公司，二分厂", "青山湖区"],
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_bytes(rows, *, encoding="utf-8", delimiter=",") -> bytes:
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            text = str(cell)
            if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def read(data: bytes, name: str = "data.csv"):
    table = open_table(io.BytesIO(data), name=name)
    return table, list(table.rows)


def file_error(data: bytes, name: str) -> str:
    with pytest.raises(TableFileError) as info:
        table = open_table(io.BytesIO(data), name=name)
        list(table.rows)
    return str(info.value)


def xlsx(rows, *, sheets=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for title, extra in sheets:
        other = book.create_sheet(title)
        for row in extra:
            other.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# Reading CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings(encoding, detected):
    table, rows = read(csv_bytes([HEADER, *ROWS], encoding=encoding))
    assert table.format == "csv"
    assert table.encoding == detected
    assert rows == [(1, HEADER), (2, ROWS[0]), (3, ROWS[1])]
    assert not rows[0][1][0].startswith("\ufeff")


def test_characters_only_gb18030_can_hold():
    # 䶮 (CJK extension A) and 𠮷 (extension B) are in GB18030 but not in GBK.
    names = ["刘䶮精密机械有限公司", "𠮷野家餐饮管理有限公司"]
    for name in names:
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")
    rows = [HEADER] + [[ROWS[0][0], name, "东湖区"] for name in names]
    table, read_rows = read(csv_bytes(rows, encoding="gb18030"))
    assert table.encoding == "gb18030"
    assert [r[1][1] for r in read_rows[1:]] == names


def test_utf16_tab_separated_as_excel_saves_unicode_text():
    table, rows = read(csv_bytes([HEADER, *ROWS], encoding="utf-16", delimiter="\t"))
    assert table.encoding == "utf-16"
    assert rows[2][1] == ROWS[1]


def test_detect_encoding():
    assert detect_encoding(codecs.BOM_UTF8 + "企业".encode()) == "utf-8-sig"
    assert detect_encoding("企业".encode()) == "utf-8"
    assert detect_encoding(b"plain ascii") == "utf-8"
    assert detect_encoding("企业".encode("gbk")) == "gb18030"
    # a UTF-8 character cut at the end of the sample is still UTF-8
    assert detect_encoding("企业".encode()[:-1]) == "utf-8"


def test_utf8_character_cut_at_the_sniff_boundary():
    prefix = "统一社会信用代码,企业名称\r\n"
    head = prefix.encode()
    filler = "a" * (65535 - len(head) - 3)  # "南" (3 bytes) then starts 1 byte before 64 KiB
    text = prefix + f"x,{filler}南昌\r\n" + "y,江西\r\n"
    data = text.encode()
    assert data[65535:65536] != b"" and data[:65536].decode("utf-8", errors="replace").endswith(
        "\ufffd"
    )
    table, rows = read(data)
    assert table.encoding == "utf-8"
    assert rows[1][1][1].endswith("南昌")
    assert rows[2] == (3, ["y", "江西"])


def test_gbk_text_after_a_utf8_start_is_a_file_error():
    data = csv_bytes([HEADER, *ROWS]) + b"x" * 70_000 + b"\r\n" + "南昌".encode("gbk") + b"\r\n"
    message = file_error(data, "mixed.csv")
    assert "mixed.csv" in message
    assert "UTF-8" in message
    assert "row 3" in message


def test_tab_separated():
    rows = [HEADER, ["91360100MA35H1LW8A", "南昌江铃汽车零部件有限公司, 二厂", "南昌县"]]
    _, read_rows = read(csv_bytes(rows, delimiter="\t"), name="data.txt")
    assert read_rows[1] == (2, rows[1])  # the comma stays inside the cell


def test_tab_separated_with_blank_lines_before_the_header():
    data = b"\r\n\r\n" + csv_bytes([HEADER, *ROWS], delimiter="\t")
    _, rows = read(data)
    assert rows[2] == (3, HEADER)
    assert rows[3] == (4, ROWS[0])


def test_row_numbers_are_as_a_spreadsheet_shows_them():
    rows = [HEADER, ["a", "第一行\n第二行", "x"], [], ["b", "c", "d"]]
    _, read_rows = read(csv_bytes(rows))
    # a cell with a line break is one row; a blank line is a row of its own
    assert [n for n, _ in read_rows] == [1, 2, 3, 4]
    assert read_rows[1][1][1] == "第一行\n第二行"
    assert read_rows[2][1] == []
    assert read_rows[3][1] == ["b", "c", "d"]


def test_long_csv_cell_is_read_whole():
    # longer than the csv module's default limit (131,072): the importer then reports the
    # cell with its row and column instead of failing the file
    big = "长" * 200_000
    _, rows = read(csv_bytes([HEADER, ["a", big, "b"]]))
    assert len(rows[1][1][1]) == 200_000


def test_absurdly_long_csv_cell_is_a_file_error_with_its_row():
    message = file_error(csv_bytes([HEADER, ROWS[0], ["a", "x" * 2_000_000, "b"]]), "big.csv")
    assert "big.csv" in message
    assert "row 3" in message


# Reading XLSX -------------------------------------------------------------------------------


def test_xlsx_cells():
    data = xlsx(
        [
            ["文本", "日期", "日期时间", "整数", "小数", "整的小数", "布尔", "公式", "空"],
            [
                "南昌",
                dt.date(2024, 3, 15),
                dt.datetime(2024, 3, 15, 9, 30),
                42,
                1234.5,
                3.0,
                True,
                "=SUM(D2:E2)",
                None,
            ],
        ],
        sheets=[("第二页", [["不读"]])],
    )
    table, rows = read(data, name="企业.xlsx")
    assert table.format == "xlsx"
    assert table.encoding == ""
    assert len(rows) == 2
    number, cells = rows[1]
    assert number == 2
    assert cells[0] == "南昌"
    assert cells[1] == dt.date(2024, 3, 15)
    assert not isinstance(cells[1], dt.datetime)
    assert cells[2] == dt.datetime(2024, 3, 15, 9, 30)
    assert cells[3:7] == ["42", "1234.5", "3", "是"]
    assert isinstance(cells[7], FormulaCell)
    assert cells[7] == "=SUM(D2:E2)"
    assert cells[8] == ""


def test_xlsx_is_told_by_its_content_not_its_name():
    table, rows = read(xlsx([HEADER, *ROWS]), name="企业.csv")
    assert table.format == "xlsx"
    assert rows[2][1] == ROWS[1]


def test_xlsx_progress():
    table = open_table(io.BytesIO(xlsx([HEADER, *ROWS])), name="a.xlsx")
    assert table.progress() == 0.0
    list(table.rows)
    assert table.progress() == 1.0


def test_text_named_xlsx():
    message = file_error(csv_bytes([HEADER, *ROWS]), "企业.xlsx")
    assert "企业.xlsx" in message
    assert "not an XLSX file" in message


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n \t "])
def test_empty_file(data):
    assert "is empty" in file_error(data, "空.csv")


def test_binary_garbage():
    data = bytes(range(256)) * 8
    assert "binary data" in file_error(data, "garbage.csv")


def test_old_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    message = file_error(data, "企业.xls")
    assert ".xls" in message
    assert "save it as .xlsx" in message


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "ZIP archive but not an Excel workbook" in file_error(buf.getvalue(), "企业.xlsx")


def test_truncated_xlsx():
    data = xlsx([HEADER, *ROWS])
    assert "cannot be opened as an XLSX workbook" in file_error(data[:300], "企业.xlsx")


def test_damaged_workbook_xml():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    assert "cannot be opened as an XLSX workbook" in file_error(buf.getvalue(), "企业.xlsx")


def test_damaged_sheet_xml():
    source = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, *ROWS])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    message = file_error(buf.getvalue(), "企业.xlsx")
    assert "企业.xlsx is damaged" in message


# Headers ------------------------------------------------------------------------------------

COLUMNS = [
    Column("uscc", "统一社会信用代码", c.text(18), required=True, aliases=("信用代码", "USCC")),
    Column("name", "企业名称", c.text(200), required=True, aliases=("名称",)),
    Column("capital", "注册资本（万元）", c.decimal(), aliases=("注册资本",)),
    Column("district", "所属区县", c.text(100), aliases=("区县",)),
]


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("注册资本（万元）", "注册资本"),
        ("注册资本(万元)", "注册资本"),
        ("* 企业 名称：", "企业名称"),
        ("＊企业名称:", "企业名称"),
        ("USCC", "uscc"),
        (None, ""),
    ],
)
def test_normalize_header(text, normal):
    assert c.normalize_header(text) == normal


def test_headers_by_name_alias_and_decoration():
    header = ["*统一社会信用代码", "名称 ", "注册资本(万元)", "", "区县："]
    result = map_headers(header, COLUMNS)
    assert result.errors == []
    assert result.positions == {"uscc": 0, "name": 1, "capital": 2, "district": 4}


def test_headers_alias_in_english_any_case():
    result = map_headers(["uscc", "企业名称"], COLUMNS)
    assert result.errors == []
    assert result.positions["uscc"] == 0


def test_optional_columns_may_be_missing():
    result = map_headers(["企业名称", "信用代码"], COLUMNS)
    assert result.errors == []
    assert set(result.positions) == {"uscc", "name"}


def test_unknown_column():
    result = map_headers(["统一社会信用代码", "企业名称", "联系电话"], COLUMNS)
    assert len(result.errors) == 1
    letter, value, reason = result.errors[0]
    assert (letter, value) == ("C", "联系电话")
    assert "Unknown column “联系电话”" in reason
    assert "统一社会信用代码、企业名称、注册资本（万元）、所属区县" in reason


def test_column_twice_under_two_names():
    result = map_headers(["统一社会信用代码", "企业名称", "名称"], COLUMNS)
    assert result.errors == [("C", "名称", "Column “名称” appears twice.")]


def test_missing_required_columns():
    result = map_headers(["注册资本"], COLUMNS)
    reasons = [reason for _, _, reason in result.errors]
    assert reasons == [
        "Required column “统一社会信用代码” is missing.",
        "Required column “企业名称” is missing.",
    ]


def test_a_different_unit_in_brackets_is_not_taken_for_the_columns_unit():
    result = map_headers(["统一社会信用代码", "企业名称", "注册资本（元）"], COLUMNS)
    assert result.errors


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")]
)
def test_column_letter(index, letter):
    assert column_letter(index) == letter


# Parsers ------------------------------------------------------------------------------------


def cell_error(parse, value) -> str:
    with pytest.raises(CellError) as info:
        parse(value)
    return str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-15",
        "2024/03/15",
        "2024/3/15",
        "2024.03.15",
        "20240315",
        "2024年3月15日",
        " 2024-03-15 ",
        dt.date(2024, 3, 15),
        dt.datetime(2024, 3, 15, 10, 5),
    ],
)
def test_date_formats(value):
    assert c.date(value) == dt.date(2024, 3, 15)


@pytest.mark.parametrize("value", ["2024-02-30", "15/03/2024", "2024-3", "昨天", "45366"])
def test_bad_dates(value):
    assert f"“{value}” is not a date (write 2024-03-15)." == cell_error(c.date, value)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_blank_date(value):
    assert c.date(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "2024-03",
        "2024-3",
        "2024/03",
        "2024.03",
        "2024.3",
        "2024年3月",
        "2024年03月",
        "2024 年 3 月",
        "202403",
        "2024-03-15",
        "2024年3月15日",
        dt.date(2024, 3, 15),
        dt.datetime(2024, 3, 1, 0, 0),
    ],
)
def test_month_formats(value):
    assert c.month(value) == dt.date(2024, 3, 1)


@pytest.mark.parametrize("value", ["2024-13", "2024-00", "1900-01", "三月", "2024", "24-03"])
def test_bad_months(value):
    assert "is not a month (write 2024-03)" in cell_error(c.month, value)


def test_blank_month():
    assert c.month("") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.56", Decimal("1234.56")),
        ("1,234.5", Decimal("1234.50")),
        ("1，234", Decimal("1234.00")),
        (" 12 345 ", Decimal("12345.00")),
        ("0", Decimal("0.00")),
        ("1e3", Decimal("1000.00")),
        (42, Decimal("42.00")),
    ],
)
def test_decimal(value, expected):
    parsed = c.decimal()(value)
    assert parsed == expected
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        ("1", Decimal("10000.00")),
        ("1.5", Decimal("15000.00")),
        ("1,234.567891", Decimal("12345678.91")),
        ("0.000001", Decimal("0.01")),
        ("1e-06", Decimal("0.01")),
    ],
)
def test_decimal_in_wan_yuan(value, yuan):
    assert c.decimal(scale=Decimal(10_000))(value) == yuan


def test_decimal_too_many_places():
    assert "more decimal places than can be kept" in cell_error(c.decimal(), "1.234")
    wan = c.decimal(scale=Decimal(10_000))
    assert "“1.2345678” has more decimal places" in cell_error(wan, "1.2345678")
    assert "more decimal places" in cell_error(c.decimal(places=1), "0.25")


def test_decimal_negative():
    assert cell_error(c.decimal(), "-5") == "Cannot be negative."
    assert cell_error(c.decimal(scale=Decimal(10_000)), "-0.01") == "Cannot be negative."
    assert c.decimal(minimum=None)("-5.5") == Decimal("-5.50")


@pytest.mark.parametrize("value", ["abc", "1.2.3", "NaN", "Infinity", "-inf", "12万", "¥100"])
def test_not_a_number(value):
    assert cell_error(c.decimal(minimum=None), value) == f"“{value}” is not a number."


def test_decimal_too_large():
    parse = c.decimal()
    assert parse("9999999999999999.99") == Decimal("9999999999999999.99")
    assert "is too large" in cell_error(parse, "10000000000000000")
    # electricity: max_digits 16 with 1 decimal place, entered in 万千瓦时
    electricity = c.decimal(scale=Decimal(10_000), places=1, digits=16)
    assert electricity("99999999999.99999") == Decimal("999999999999999.9")
    assert "is too large" in cell_error(electricity, "100000000000")


def test_decimal_blank():
    assert c.decimal()("  ") is None


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), ("1,200", 1200), ("12.0", 12), (" 7 ", 7), (0, 0)]
)
def test_integer(value, expected):
    assert c.integer()(value) == expected


def test_integer_errors():
    parse = c.integer(maximum=1000)
    assert cell_error(parse, "12.5") == "“12.5” is not a whole number."
    assert cell_error(parse, "十二") == "“十二” is not a whole number."
    assert cell_error(parse, "NaN") == "“NaN” is not a whole number."
    assert cell_error(parse, "-1") == "-1 is outside 0–1000."
    assert cell_error(parse, "1001") == "1001 is outside 0–1000."
    assert parse("") is None


def test_choice():
    parse = c.choice({"大型": "large", "大": "large", "小型": "small"})
    assert parse("大型") == "large"
    assert parse("大") == "large"
    assert parse(" 小 型 ") == "small"
    assert parse("") == ""
    assert c.choice({"在营": "operating"}, blank=None)(" ") is None
    assert cell_error(parse, "巨型") == "“巨型” is not one of: 大型、大、小型."


@pytest.mark.parametrize("value", ["是", "Y", "yes", "TRUE", "1", "√", "✓", " 是 "])
def test_boolean_true(value):
    assert c.boolean(value) is True


@pytest.mark.parametrize("value", ["否", "n", "No", "false", "0", "×"])
def test_boolean_false(value):
    assert c.boolean(value) is False


def test_boolean_other():
    assert c.boolean("") is None
    assert cell_error(c.boolean, "也许") == "“也许” must be 是 or 否."


def test_text():
    parse = c.text(5)
    assert parse("  南昌市  ") == "南昌市"
    assert parse(None) == ""
    assert parse(12) == "12"
    assert parse("第一行\n第二行"[:5]) == "第一行\n第"
    assert cell_error(parse, "南昌市东湖区") == "Too long: 6 characters, at most 5."


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1b", "\x1f"])
def test_text_with_an_invisible_control_character(char):
    message = cell_error(c.text(50), f"南昌{char}公司")
    assert f"U+{ord(char):04X}" in message
    assert "Character 3" in message


def test_renderers():
    render = c.render_scaled(Decimal(10_000))
    assert render(Decimal("10000000.00")) == 1000
    assert isinstance(render(Decimal("10000000.00")), int)
    assert render(Decimal("12345678.91")) == 1234.567891
    assert render(None) is None
    assert c.render_boolean(True) == "是"
    assert c.render_boolean(False) == "否"
    assert c.render_boolean(None) is None


# Writing ------------------------------------------------------------------------------------


def load(buf) -> openpyxl.Workbook:
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def test_formula_looking_text_is_written_as_text():
    values = ["=南昌市", "+86 791", "-3", "@SUM(A1)", "\t缩进", "#N/A", "=1+1", "普通"]
    book = XlsxWriter()
    sheet = book.sheet("t", ["a"] * len(values))
    sheet.append(values)
    buf = io.BytesIO()
    book.save(buf)
    cells = list(load(buf).active.iter_rows(min_row=2))[0]
    assert [cell.value for cell in cells] == values
    assert {cell.data_type for cell in cells} == {"s"}
    # and read back by the importer's reader as text, not as formulas
    _, rows = read(buf.getvalue(), name="x.xlsx")
    assert rows[1][1] == values
    assert not any(isinstance(v, FormulaCell) for v in rows[1][1])


def test_numbers_and_dates_keep_their_type():
    book = XlsxWriter()
    sheet = book.sheet("t", ["a", "b", "c", "d"])
    sheet.append([Decimal("1000.00"), Decimal("12.50"), dt.date(2024, 3, 15), None])
    buf = io.BytesIO()
    book.save(buf)
    cells = list(load(buf).active.iter_rows(min_row=2))[0]
    assert cells[0].value == 1000
    assert cells[1].value == 12.5
    assert cells[2].value == dt.datetime(2024, 3, 15)
    assert cells[2].number_format == "yyyy-mm-dd"
    assert cells[3].value is None


def test_control_characters_do_not_break_a_workbook():
    book = XlsxWriter()
    sheet = book.sheet("t", ["表\x07头"])
    sheet.append(["南昌\x0b公司", "a\x00b"])
    buf = io.BytesIO()
    book.save(buf)
    ws = load(buf).active
    assert ws["A1"].value == "表\ufffd头"
    assert ws["A2"].value == "南昌\ufffd公司"
    assert ws["B2"].value == "a\ufffdb"


def test_write_export_and_template():
    buf = io.BytesIO()
    count = write_export(buf, title="企业", columns=COLUMNS, rows=iter([["a", "b", 1, "c"]] * 3))
    assert count == 3
    ws = load(buf).active
    assert [cell.value for cell in ws[1]] == [col.header for col in COLUMNS]
    assert ws.max_row == 4
    assert ws.freeze_panes == "A2"

    buf = io.BytesIO()
    write_template(buf, title="企业", columns=COLUMNS, notes=["注意事项"])
    book = load(buf)
    assert [cell.value for cell in book.worksheets[0][1]] == [col.header for col in COLUMNS]
    assert book.worksheets[0].max_row == 1
    instructions = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]
    assert instructions[1][:2] == ["统一社会信用代码", "Yes"]
    assert instructions[3][:2] == ["注册资本（万元）", None]
    assert instructions[-1][2] == "注意事项"


def test_error_report():
    result = ImportResult(name="企业.csv", dry_run=False, headers=["代码", "名称"])
    result.error_rows = [
        (3, ["913601", "=HYPERLINK(1)"], ["代码：The check digit is wrong"]),
        (5, ["x" * 200_000], ["名称：Too long", "代码：Required"]),
    ]
    result.errors = [
        RowError(3, "代码", "913601", "The check digit is wrong"),
        RowError(None, "", "", "The file has a header row but no data."),
    ]
    buf = io.BytesIO()
    write_error_report(buf, result)
    rows = [[cell.value for cell in row] for row in load(buf).active.iter_rows()]
    assert rows[0] == ["Row", "代码", "名称", "Errors"]
    assert rows[1] == [3, "913601", "=HYPERLINK(1)", "代码：The check digit is wrong"]
    assert rows[2][0] == 5
    assert len(rows[2][1]) == MAX_CELL_CHARS  # what a spreadsheet cell can hold
    assert rows[2][3] == "名称：Too long；代码：Required"
    assert rows[3] == [None, None, None, "file: The file has a header row but no data."]


# XLSX read by calamine or by openpyxl ----------------------------------------------------------


def _offset_xlsx() -> bytes:
    """A header in B3 below two blank rows, cells of every kind, a second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "名称", "日期", "数", "是否"
    rows = [
        ["南昌", dt.date(2024, 3, 15), 42, True],
        ["  赣江  ", dt.datetime(2024, 3, 15, 9, 30), 1234.5, False],
        [None, None, 3.0, None],
        ["九江", "2024-03-15", "0042", "是"],
    ]
    for r, row in enumerate(rows, start=4):
        for column, value in enumerate(row, start=2):
            sheet.cell(row=r, column=column, value=value)
    book.create_sheet("第二页")["A1"] = "不读"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_readers_agree():
    """calamine (fast, in memory) and openpyxl (streamed) give the same rows, numbered as
    the spreadsheet numbers them, with the columns where the spreadsheet has them."""
    data = _offset_xlsx()

    def filled(table):  # blank rows are skipped by the import
        return [(n, cells) for n, cells in table.rows if any(cell != "" for cell in cells)]

    fast = filled(reading._open_xlsx_calamine(io.BytesIO(data), name="a.xlsx"))
    streamed = filled(reading._open_xlsx_openpyxl(io.BytesIO(data), name="a.xlsx"))
    assert fast == streamed
    assert fast[0] == (3, ["", "名称", "日期", "数", "是否"])
    assert fast[1] == (4, ["", "南昌", dt.date(2024, 3, 15), "42", "是"])
    assert fast[2][1][2] == dt.datetime(2024, 3, 15, 9, 30)
    assert [type(cell) for cell in fast[3][1]] == [str, str, str, NumberText, str]
    assert fast[4][1] == ["", "九江", "2024-03-15", "0042", "是"]


def test_xlsx_without_formulas_is_read_by_calamine(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("read by openpyxl")

    monkeypatch.setattr(reading, "_open_xlsx_openpyxl", refuse)
    table, rows = read(_offset_xlsx(), name="企业.xlsx")
    assert table.format == "xlsx"
    assert [n for n, cells in rows if any(cells)] == [3, 4, 5, 6, 7]
    assert table.progress() == 1.0


@pytest.mark.parametrize(
    "formula", ["=SUM(D2:E2)", '=A1&"有限公司"', "=TODAY()"], ids=["sum", "text", "today"]
)
def test_xlsx_with_a_formula_is_read_by_openpyxl_to_report_it(monkeypatch, formula):
    def refuse(*args, **kwargs):
        raise AssertionError("read by calamine")

    monkeypatch.setattr(reading, "_open_xlsx_calamine", refuse)
    table, rows = read(xlsx([["名称", "注册资本"], ["南昌", 1], ["九江", formula]]), name="a.xlsx")
    assert isinstance(rows[2][1][1], FormulaCell)
    assert rows[2][1][1] == formula


def test_large_xlsx_is_streamed_by_openpyxl(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("read by calamine")

    monkeypatch.setattr(reading, "_open_xlsx_calamine", refuse)
    monkeypatch.setattr(reading, "CALAMINE_MAX_XML", 100)
    table, rows = read(xlsx([HEADER, *ROWS]), name="a.xlsx")
    assert rows[2][1] == ROWS[1]
