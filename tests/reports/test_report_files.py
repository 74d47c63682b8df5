"""The fund report as the files people hand on, downloaded through the HTTP API from the
embedded demo's Xinxiang program (X-19's monthly report, and its year): an .xlsx whose
numbers are numbers under Chinese headings, with widths, a title and period block, frozen
headings and charts; a PDF whose Chinese is real text in an embedded font, and whose pages
render (poppler's pdftoppm) to images with ink where the title is."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from riskshare.reports.service import PDF, XLSX
from riskshare.testing import ApiClient

TITLE = "新乡市小微企业贷款风险补偿资金运行和使用情况报告"


@pytest.fixture(scope="module")
def xinxiang(rs_demo_app) -> tuple[ApiClient, str]:
    api = ApiClient(rs_demo_app, "xinxiang")
    [program] = api.as_("auditor").ok("GET", "/programs")
    return api, f"/programs/{program['id']}/reports"


def download(api: ApiClient, path: str, media_type: str) -> bytes:
    response = api.as_("auditor").get(path)
    assert response.status_code == 200, response.get_data()[:500]
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response.data


def test_x19_workbook_has_numbers_formats_chinese_headings_widths_and_charts(xinxiang):
    api, base = xinxiang
    content = download(api, f"{base}/2022?format=xlsx", XLSX)
    book = load_workbook(BytesIO(content))
    assert book.sheetnames == ["资金情况", "xinxiang-institutions", "贷款明细"]

    fund = book["资金情况"]
    assert fund["A1"].value == TITLE and "A1:E1" in fund.merged_cells
    assert fund["A1"].font.b and fund["A1"].font.sz == 16
    block = {r[0]: r[1] for r in fund.iter_rows(min_row=3, max_row=6, values_only=True)}
    assert block["报告期间 Period"] == "2022年（2022）"
    assert block["起止日期 From – to"] == "2022-01-01 至 2022-12-31"
    assert block["资金规模（元） Fund total"] == 29000000
    assert fund["B6"].number_format == "yyyy-mm-dd"  # the day it was made, as a date
    assert fund.freeze_panes == "A10"  # under the flows' Chinese and English headings
    assert [c.value for c in fund[8]] == ["项目", "Item", "本期", "本年累计", "累计至期末"]
    [appropriated] = [r for r in fund.iter_rows() if r[0].value == "财政拨入资金"]
    assert appropriated[4].value == 29000000 and appropriated[4].number_format == "#,##0.00"
    assert fund.column_dimensions["A"].width == 30

    npl = book["xinxiang-institutions"]
    assert npl.freeze_panes == "A5"
    assert [c.value for c in npl[3]][:6] == [
        "机构代码",
        "名称",
        "合作状态",
        "贷款余额",
        "不良贷款",
        "不良率",
    ]
    zhongyuan = next(r for r in npl.iter_rows(min_row=5) if r[0].value == "xx-bank-zy")
    assert zhongyuan[2].value == "正常合作"  # the code "active", in Chinese
    assert zhongyuan[3].value == 16050000 and zhongyuan[3].number_format == "#,##0.00"
    assert 0.0996 < zhongyuan[5].value < 0.0998 and zhongyuan[5].number_format == "0.00%"
    assert npl.column_dimensions["B"].width >= 20  # 中原银行新乡分行: eight wide characters
    assert npl.cell(npl.max_row, 1).value.startswith("X-19（新政办〔2021〕48号 第十五条）：按月")

    loans = book["贷款明细"]
    assert loans.freeze_panes == "A3"
    first = [c for c in loans[3]]
    assert (first[1].value, first[4].value) == ("ZY-2022-001", "信用贷款")
    assert first[5].value == 800000 and first[5].number_format == "#,##0.00"
    assert first[6].number_format == "yyyy-mm-dd" and first[8].value == "是"
    registered = api.as_("auditor").ok("GET", f"{base}/2022")["activity"]["loans_registered"]
    assert loans.max_row == 2 + registered == 2 + 14  # ZY-2021-099 was issued in 2021

    # One chart of the fund's flows, one of the institutions' NPL rates.
    charts = [n for n in zipfile.ZipFile(BytesIO(content)).namelist() if "charts/chart" in n]
    assert len(charts) == 2


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_x19_pdf_has_the_chinese_as_text_in_an_embedded_font(xinxiang):
    api, base = xinxiang
    content = download(api, f"{base}/2022-03?format=pdf", PDF)
    text = pdf_text(content)
    for words in (
        TITLE,
        "2022年3月（2022-03）",
        "资金收支情况",
        "财政拨入资金",
        "29,000,000.00",
        "合作机构不良率与补偿",
        "中原银行新乡分行",
        "按月向领导小组书面报告资金运行和使用情况",
        "本期登记贷款明细",
        "第 1 页",
    ):
        assert words in text, words
    fonts = {
        font["/BaseFont"]: font
        for page in PdfReader(BytesIO(content)).pages
        for font in (page["/Resources"]["/Font"].get_object().values())
        for font in [font.get_object()]
    }
    [cjk] = [f for name, f in fonts.items() if "WenQuanYi" in name]
    # Embedded (a subset): the file reads the same on a machine without Chinese fonts.
    assert "/FontFile2" in cjk["/FontDescriptor"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_x19_pdf_pages_render_with_ink_where_the_title_is(xinxiang, tmp_path: Path):
    from PIL import Image

    api, base = xinxiang
    content = download(api, f"{base}/2022?format=pdf", PDF)
    (tmp_path / "report.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(BytesIO(content)).pages) >= 3
    with Image.open(pages[0]) as page:
        image = page.convert("L")
    # The title's band (15 mm from the top, 18 pt high): dark pixels, not an empty page.
    width, height = image.size
    band = image.crop((0, int(height * 0.06), width // 2, int(height * 0.12)))
    dark = sum(band.histogram()[:128])
    assert dark > 300, dark


def test_without_a_cjk_font_file_the_pdf_names_stsong_light(monkeypatch):
    """No TrueType CJK font on the machine: the PDF names reportlab's built-in Adobe-GB1
    font and its Chinese is still text."""
    from riskshare.reports import pdf
    from riskshare.reports.layout import lay_out

    monkeypatch.setattr(pdf, "CJK_FONT_FILES", ())
    pdf.font.cache_clear()
    try:
        report = {
            "program": "测试资金",
            "period": "2024-H1",
            "start": "2024-01-01",
            "end": "2024-06-30",
            "generated_on": "2024-07-01",
            "fund_total": "1000.00",
            "fund": {
                "appropriated_to_date": "1000.00",
                "paid_in_period": {"compensation": "10.00"},
                "paid_year_to_date": {"compensation": "10.00"},
                "paid_to_date": {"compensation": "10.00"},
                "returned_to_pool_in_period": "0.00",
                "returned_to_pool_to_date": "0.00",
                "remitted_in_period": {},
                "remitted_to_date": {},
                "pool_balance_at_end": "990.00",
            },
            "activity": {"loans_registered": 1},
            "sections": [],
        }
        content = pdf.write_pdf(lay_out(report))
    finally:
        pdf.font.cache_clear()
    assert b"STSong-Light" in content
    text = pdf_text(content)
    assert "测试资金运行和使用情况报告" in text and "支付：风险补偿（代偿）" in text
