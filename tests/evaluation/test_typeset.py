"""The documents' HTML typeset by Typst (evaluation.typeset), read back with poppler's tools and pypdf."""

import datetime as dt
import io
import re
import subprocess
from collections import Counter

import pypdf
import pytest

from evaluation import document, services, typeset
from evaluation.snapshot import build_snapshot

PAGES = "第 {page} 页 / 共 {pages} 页"


def _text(pdf: bytes, tmp_path, *pages: int) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", *span, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf(html: str, stamp: str = "草稿") -> typeset.Typeset:
    translation = typeset.translate(html, stamp=stamp, page_pattern=PAGES)
    assert not translation.unknown
    return typeset.compile_pdf(translation.source)


def test_what_a_unit_typed_is_printed_as_typed_and_never_read_as_typst(tmp_path):
    typed = '#set page(width: 1cm) *粗体* _斜_ [括号] $x^2$ <标签> @引用 \\ "引号" // 注释 /* 块 */ #"字符串"'
    html = (
        "<html><head><title>测试</title></head><body><section class='cover'><div class='title'>封面</div></section>"
        f"<section><h1 id='s'>第一部分</h1><p>{typed.replace('<', '&lt;').replace('>', '&gt;')}</p>"
        f"<table><colgroup><col class='w12'><col></colgroup><thead><tr><th>甲</th><th>乙</th></tr></thead>"
        f"<tbody><tr><td>{typed.replace('<', '&lt;').replace('>', '&gt;')}</td><td class='num'>1</td></tr></tbody>"
        "</table></section></body></html>"
    )
    pdf = _pdf(html)
    text = _text(pdf.pdf, tmp_path)
    assert "".join(text.split()).count("".join(typed.split())) == 2, text  # in the paragraph and in the table cell
    assert pdf.pages == 2


def test_the_cover_has_no_margins_and_every_later_page_the_running_header_and_footer(tmp_path):
    html = (
        "<html><head><title>方案</title></head><body>"
        "<section class='cover'><div class='title'>某区方案</div><div class='subtitle'>2025年度评估报告</div></section>"
        "<section><h1 id='a'>一、总体情况</h1><p>正文。</p></section>"
        "<section><h1 id='b'>二、各行动进展</h1>" + "<p>很长的正文。</p>" * 120 + "</section></body></html>"
    )
    pdf = _pdf(html, stamp="定稿 · 演示数据")
    assert pdf.pages >= 4
    cover = _text(pdf.pdf, tmp_path, 1)
    assert "某区方案" in cover and "第 1 页" not in cover and "定稿" not in cover
    second = _text(pdf.pdf, tmp_path, 2)
    assert "某区方案 · 2025年度评估报告" in second and "一、总体情况" in second
    assert re.search(rf"第\s*2\s*页\s*/\s*共\s*{pdf.pages}\s*页", second) and "定稿 · 演示数据" in second
    last = _text(pdf.pdf, tmp_path, pdf.pages)
    assert last.count("二、各行动进展") == 1  # the running header names the section the page continues
    assert re.search(rf"第\s*{pdf.pages}\s*页\s*/\s*共\s*{pdf.pages}\s*页", last)


@pytest.mark.django_db
def test_the_annual_report_s_contents_point_at_the_pages_its_sections_start_on(demo_plan, tmp_path):
    snapshot = build_snapshot(services.evaluation_for(demo_plan, 2025), today=dt.date(2026, 1, 20))
    html = document.render_html(snapshot, final=False, for_pdf=True)
    translation = typeset.translate(html, stamp=document.stamp(snapshot, final=False), page_pattern=PAGES)
    assert not translation.unknown  # every class of the template is styled
    pdf = typeset.compile_pdf(translation.source)

    reader = pypdf.PdfReader(io.BytesIO(pdf.pdf))
    outline = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    assert "三、方案目标完成情况" in outline and "附件：报告的问题与下步计划" in outline  # the PDF's bookmarks

    printed = Counter("".join(_text(pdf.pdf, tmp_path).split()))
    written = Counter("".join(typeset.parse(html.split("<body>", 1)[1]).text().split()))
    assert not written - printed  # every character of the HTML's text is on the pages (pdftotext reads them back)

    contents = _text(pdf.pdf, tmp_path, 2)
    for title, page in outline.items():
        if title == "目录":
            continue
        listed = re.search(re.escape(title) + r"[\s.]*?(\d+)\s*$", contents, re.MULTILINE)
        assert listed, (title, contents)
        assert int(listed.group(1)) == page, title
        assert title in _text(pdf.pdf, tmp_path, page)


def test_a_class_draws_the_same_block_on_a_div_and_a_p(tmp_path):
    """The report to the city signs off with <p class="signature">: right-aligned as the stylesheet has it."""
    html = "<html><body><section><h1>一</h1><p class='signature'>签发单位</p><div class='signature'>某年某日</div></section></body></html>"
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(html).pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    right_edges = {word: float(x) for x, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)</word>', boxes)}
    a4_width, margin = 595.28, 18 / 25.4 * 72
    for word in ("签发单位", "某年某日"):
        assert abs(right_edges[word] - (a4_width - margin)) < 2, (word, right_edges)


def _printed(body: str, tmp_path) -> tuple[typeset.Typeset, str]:
    pdf = _pdf(f"<html><body><section><h1 id='a'>一</h1>{body}</section></body></html>")
    return pdf, "".join(_text(pdf.pdf, tmp_path).split())


def _all_printed(body: str, printed: str) -> bool:
    written = "".join(typeset.parse(body).text().split())
    return not Counter(written) - Counter(printed)


def test_a_row_or_task_taller_than_a_page_continues_on_the_next_instead_of_running_off_it(tmp_path):
    long = "电网接入工程滞后，影响项目投产，需要市级协调。" * 300  # a unit may write 20,000 characters
    cell = (
        f"<table><colgroup><col class='w12'><col></colgroup><tbody><tr><td>1</td><td>{long}</td></tr></tbody></table>"
    )
    task = f"<div class='task'><div class='head'>1.1 任务</div><div class='note'>{long}</div></div>"
    for body in (cell, task):
        pdf, printed = _printed(body, tmp_path)
        assert pdf.pages >= 3 and _all_printed(body, printed)


def test_many_short_lines_make_a_row_or_task_breakable_too(tmp_path):
    items = "".join(f"<li>第{i}项措施已落实。</li>" for i in range(90))
    paragraphs = "".join(f"<p>第{i}段说明。</p>" for i in range(90))
    for body in (
        f"<div class='task'><div class='head'>1.1 任务</div><ul class='tight'>{items}</ul></div>",
        f"<div class='task'><div class='head'>1.2 任务</div>{paragraphs}</div>",
        f"<table><colgroup><col class='w12'><col></colgroup><tbody><tr><td>1</td><td><ul>{items}</ul></td></tr></tbody></table>",
    ):
        pdf, printed = _printed(body, tmp_path)
        assert pdf.pages >= 2 and _all_printed(body, printed), printed[-200:]


def test_html_the_browser_forgives_is_printed_whole(tmp_path):
    body = (
        "<p><span>甲<div>乙</div> 丙</span></p><p><b>丁<div>戊</div></b>己</p>"  # a block in an inline in a <p>
        "<table>游离文字<div>表内块</div><tr>行内文字<td>格</td></tr></table>"  # shown before the table, as browsers do
        "<table><thead><tr><th colspan='2'>合并表头</th></tr></thead><tbody><tr><td>左</td><td>右</td></tr></tbody></table>"
        "<p>前<div class='note'>块内文字</div>后</p>"  # a block closes an open <p>, as in the browser
        "<ul class='tight'>直接文字<li>项</li>尾巴<b>粗</b></ul>"
        "<table><tr><td>甲</td><td>乙</td><td>丙</td></tr><tr><td>丁</td></tr>"  # no colgroup, no tbody
        "<caption>表题</caption><tfoot><tr><td colspan='x'>合计</td></tr></tfoot></table>"
    )
    pdf, printed = _printed(body, tmp_path)
    assert _all_printed(body, printed), printed


def test_white_space_collapses_as_in_the_browser_and_special_spaces_stay():
    html = "<div><span class='st'>逾期</span> <span class='note'> · 本年度 </span><br> 下一行</div><p>第&nbsp;&nbsp;1&nbsp;条　单位</p>"
    source = typeset.translate(html, stamp="", page_pattern=PAGES).source
    assert (
        '#box(st("#111", [#"逾期"]))#" "#note([#"· 本年度"])#linebreak()#"下一行"' in source
    )  # one space, none at the break
    assert '"第\u00a0\u00a01\u00a0条\u3000单位"' in source


def test_a_failed_compile_says_what_typst_said():
    with pytest.raises(RuntimeError, match=r"Typst failed \(exit 1\).*第一行.*第二行"):
        typeset.compile_pdf('#panic("第一行\\n第二行")')
