"""The export helper's stored files: a workbook and a CSV as bytes. Texts a spreadsheet would run
are neutralised as in the streamed CSV, numbers stay numbers, and the same rows give the same
bytes whatever the clock says."""

import datetime
import decimal
import io
import zipfile

import openpyxl  # type: ignore[import-untyped]  # stubs not installed
import time_machine

from informatics.export import csv_bytes, xlsx_bytes, zip_bytes

SHEETS = [
    (
        "Figures",
        ["Name", "Value", "Day"],
        [
            ['=HYPERLINK("http://x.example","x")', decimal.Decimal("-5"), "2026-11-30"],
            ["Savings", decimal.Decimal("115000.00"), datetime.date(2026, 11, 30)],
            ["-5", 3, None],
        ],
    ),
    ("Empty", ["Only a header"], []),
]


def read(content: bytes) -> dict[str, list[list[object]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    }


def test_xlsx_escapes_formula_texts_and_keeps_numbers_as_numbers() -> None:
    sheets = read(xlsx_bytes(SHEETS))

    assert list(sheets) == ["Figures", "Empty"]
    assert sheets["Figures"] == [
        ["Name", "Value", "Day"],
        ['\'=HYPERLINK("http://x.example","x")', -5, "2026-11-30"],
        ["Savings", 115000, datetime.datetime(2026, 11, 30)],
        ["'-5", 3, None],
    ]
    assert sheets["Empty"] == [["Only a header"]]


def test_xlsx_drops_the_control_characters_a_worksheet_cannot_hold() -> None:
    text = "Line one\x00\x07\x1b\tand\nline two\x0b"

    sheets = read(xlsx_bytes([("Notes", ["Note"], [[text]])]))

    assert sheets["Notes"] == [["Note"], ["Line one\tand\nline two"]]


def test_xlsx_numbers_are_numeric_cells() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(SHEETS)))
    sheet = workbook["Figures"]

    assert sheet["B2"].data_type == "n"
    assert sheet["B3"].data_type == "n"
    assert sheet["A2"].data_type == "s"


def test_xlsx_same_sheets_give_the_same_bytes_at_another_time() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, 0, tzinfo=datetime.UTC)):
        first = xlsx_bytes(SHEETS)
    with time_machine.travel(datetime.datetime(2027, 3, 9, 17, 45, tzinfo=datetime.UTC)):
        second = xlsx_bytes(SHEETS)

    assert first == second
    properties = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert properties.created == datetime.datetime(2000, 1, 1)
    assert properties.modified == datetime.datetime(2000, 1, 1)


def test_xlsx_created_time_is_the_one_given() -> None:
    moment = datetime.datetime(2026, 12, 1)
    properties = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(SHEETS, created=moment))).properties

    assert (properties.created, properties.modified) == (moment, moment)


def test_csv_bytes_is_utf8_with_bom_and_escapes_formula_texts() -> None:
    content = csv_bytes(
        header=["Name", "Value"],
        rows=[
            ['=HYPERLINK("http://x.example","x")', -5],
            ["Café “quoted”", decimal.Decimal("2.50")],
        ],
    )

    assert (
        content
        == (
            "\ufeffName,Value\r\n"
            '"\'=HYPERLINK(""http://x.example"",""x"")",-5\r\n'
            "Café “quoted”,2.50\r\n"
        ).encode()
    )


def test_zip_bytes_keeps_member_order_and_fixed_timestamps() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)):
        first = zip_bytes([("b.csv", b"2"), ("a.csv", b"1")])
    with time_machine.travel(datetime.datetime(2027, 1, 5, tzinfo=datetime.UTC)):
        second = zip_bytes([("b.csv", b"2"), ("a.csv", b"1")])

    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist() == ["b.csv", "a.csv"]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.read("a.csv") == b"1"
