"""A :class:`~counter_desk.services.reports.Report` as an A4 PDF with charts (reportlab platypus and graphics).

In the active language (Bahasa Indonesia unless configured otherwise): title, summary, one table per subject
(stages, officers, out-of-order calls) and two charts by office-time hour (arrivals per stage, mean wait per
stage); then, when given, the staffing plan of the next working day (:mod:`counter_desk.services.plan`).
Times are shown in minutes. Text is set in DejaVu Sans when the system has it (any name prints as
written), else Helvetica. :func:`render` returns the bytes; writing the file is the caller's business, so a
report that cannot be made writes nothing.

It is an export of the report, as :meth:`~counter_desk.services.reports.Report.csv_rows` and ``to_json`` are, and
no device: it lives beside them, and ``devices/`` stays free of services (printers and scanners are handed what
they print and read).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from counter_desk.clock import office_local
from counter_desk.i18n import _
from counter_desk.pdf_fonts import pdf_fonts
from counter_desk.services.dates import format_day
from counter_desk.services.plan import text as plan_text
from counter_desk.services.plan.model import INTERVIEW
from counter_desk.services.plan.search import Recommendation, schedule_text
from counter_desk.services.reports import Report, StageReport, Stats, minutes

#: One colour per stage, in flow order (charts and legends).
PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f")
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN


def percent(share: float | None) -> str:
    if share is None:
        return "—"
    text = f"{share * 100:.0f}%"
    return text


def _stats(s: Stats) -> list[str]:
    return [minutes(s.mean), minutes(s.median), minutes(s.p90)]


class _Styles:
    def __init__(self) -> None:
        self.regular, self.bold = pdf_fonts()
        self.title = ParagraphStyle("title", fontName=self.bold, fontSize=16, leading=20, spaceAfter=2 * mm)
        self.heading = ParagraphStyle(
            "heading", fontName=self.bold, fontSize=11.5, leading=14, spaceBefore=4 * mm, spaceAfter=2 * mm
        )
        self.body = ParagraphStyle("body", fontName=self.regular, fontSize=9, leading=12)
        self.small = ParagraphStyle("small", fontName=self.regular, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("cell", fontName=self.regular, fontSize=8, leading=10)
        self.header = ParagraphStyle("header", fontName=self.bold, fontSize=7, leading=8.5)

    def table(
        self,
        rows: list[list[object]],
        widths: list[float],
        *,
        numeric_from: int = 1,
        header_rows: int = 1,
        extra: list[tuple[object, ...]] | None = None,
    ) -> Table:
        """A table whose header cells wrap (Paragraphs) and whose numbers are right-aligned."""
        wrapped: list[list[object]] = [
            [Paragraph(escape(cell), self.header) if isinstance(cell, str) and cell else cell for cell in row]
            for row in rows[:header_rows]
        ]
        table = Table(wrapped + rows[header_rows:], colWidths=widths, repeatRows=header_rows)
        last_header = header_rows - 1
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.regular, 8),
                    ("BACKGROUND", (0, 0), (-1, last_header), colors.HexColor("#e3e8ef")),
                    ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
                    ("LINEBELOW", (0, last_header), (-1, last_header), 0.6, colors.HexColor("#8a94a3")),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#8a94a3")),
                    ("ALIGN", (numeric_from, header_rows), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    *(extra or []),
                ]
            )
        )
        return table


def _colour(report: Report, stage: StageReport) -> str:
    """A stage keeps its colour whichever stages are charted."""
    return PALETTE[[s.code for s in report.stages].index(stage.code) % len(PALETTE)]


def _chart_frame(title: str, fonts: _Styles, height: float) -> Drawing:
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 10, title, fontName=fonts.bold, fontSize=9.5))
    return drawing


def _legend(report: Report, fonts: _Styles, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = fonts.regular, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.deltay = 9
    legend.boxAnchor = "nw"
    legend.colorNamePairs = [(colors.HexColor(_colour(report, s)), s.name) for s in _active(report)]
    return legend


def _bars(report: Report, fonts: _Styles, title: str, data: list[list[float]]) -> Drawing:
    """Clustered bars by hour, one colour per stage (None is drawn as no bar)."""
    height = 62 * mm
    drawing = _chart_frame(title, fonts, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = WIDTH - 62 * mm, height - 24 * mm
    chart.data = data or [[0]]
    chart.categoryAxis.categoryNames = [f"{h:02d}" for h in report.hours] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.barSpacing = 0.5
    chart.groupSpacing = 4
    for i, stage in enumerate(_active(report)):
        chart.bars[i].fillColor = colors.HexColor(_colour(report, stage))
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(report, fonts, WIDTH - 46 * mm, height - 18 * mm))
    drawing.add(String(12 * mm, 2 * mm, _("hour (office time)"), fontName=fonts.regular, fontSize=7))
    return drawing


def _active(report: Report) -> list[StageReport]:
    """The stages with anything to chart (a stage nobody queued at only clutters the legend)."""
    return [s for s in report.stages if s.arrivals or s.wait.count] if report.hours else []


def arrivals_chart(report: Report, fonts: _Styles) -> Drawing:
    """Arrivals per hour, one bar per stage."""
    data = [[float(s.arrivals_by_hour.get(h, 0)) for h in report.hours] for s in _active(report)]
    return _bars(report, fonts, _("Arrivals by hour"), data)


def waits_chart(report: Report, fonts: _Styles) -> Drawing:
    """Mean wait in minutes of the applicants called in each hour, one bar per stage."""
    data = [
        [0.0 if (v := s.wait_by_hour.get(h)) is None else round(v / 60, 1) for h in report.hours]
        for s in _active(report)
    ]
    return _bars(report, fonts, _("Average wait by hour (minutes)"), data)


def _stage_table(report: Report, st: _Styles) -> Table:
    rows: list[list[object]] = [
        [
            _("Stage"),
            _("Arrivals"),
            _("Served"),
            _("No-shows"),
            _("Wait (minutes)"),
            "",
            "",
            _("Service (minutes)"),
            "",
            "",
            _("Within target"),
        ],
        ["", "", "", "", _("mean"), _("median"), _("P90"), _("mean"), _("median"), _("P90"), ""],
    ]
    for s in report.stages:
        target = (
            _(
                "{share} ({within} of {count})",
                share=percent(s.within_target_share),
                within=s.within_target,
                count=s.wait.count + s.never_called,  # never called: not within target (services/reports.py)
            )
            if s.wait.count + s.never_called
            else "—"
        )
        name = escape(s.name) + "<br/>" + escape(_("target {minutes} min", minutes=s.wait_target_minutes))
        rows.append(
            [
                Paragraph(name, st.cell),
                s.arrivals,
                s.served,
                s.no_shows,
                *_stats(s.wait),
                *_stats(s.service),
                target,
            ]
        )
    widths = [29 * mm, 19 * mm, 15 * mm, 13 * mm, 12 * mm, 13 * mm, 11 * mm, 12 * mm, 13 * mm, 11 * mm]
    widths.append(WIDTH - sum(widths))
    spans: list[tuple[object, ...]] = [("SPAN", (c, 0), (c, 1)) for c in (0, 1, 2, 3, 10)]
    spans += [("SPAN", (4, 0), (6, 0)), ("SPAN", (7, 0), (9, 0))]
    spans += [("ALIGN", (10, 2), (10, -1), "LEFT"), ("LEFTPADDING", (10, 0), (10, -1), 6)]
    spans += [("LINEBEFORE", (c, 0), (c, -1), 0.5, colors.HexColor("#c5ccd6")) for c in (4, 7, 10)]
    return st.table(rows, widths, header_rows=2, extra=spans)


def _officer_table(report: Report, st: _Styles) -> Table:
    rows: list[list[object]] = [
        [_("Officer"), _("Calls"), _("Served"), _("No-shows"), _("Out of order"), _("Service mean (min)")]
    ]
    for o in report.officers:
        name = f"{o.full_name} ({o.username})" if o.username else _("(no one signed in)")
        rows.append(
            [
                Paragraph(escape(name), st.cell),
                o.calls,
                o.served,
                o.no_shows,
                o.out_of_order_calls,
                minutes(o.service.mean),
            ]
        )
    widths = [66 * mm, 20 * mm, 20 * mm, 20 * mm, 22 * mm]
    widths.append(WIDTH - sum(widths))
    return st.table(rows, widths)


def _out_of_order_table(report: Report, st: _Styles) -> Table:
    rows: list[list[object]] = [
        [_("When"), _("Ticket"), _("Stage"), _("Station"), _("Officer"), _("What"), _("Reason")]
    ]
    names = {s.code: s.name for s in report.stages}
    kinds = {"call": _("called out of turn"), "return": _("put back at the front"), "transfer": _("moved to the front")}
    for c in report.out_of_order:
        local = office_local(c.at, report.timezone)
        when = local.strftime("%H:%M") if report.first == report.last else f"{local:%d/%m %H:%M}"
        rows.append(
            [
                when,
                c.number,
                Paragraph(escape(names.get(c.stage, c.stage)), st.cell),
                c.station or "—",
                Paragraph(escape(c.officer or _("(no one signed in)")), st.cell),
                Paragraph(escape(kinds.get(c.kind, c.kind)), st.cell),
                Paragraph(escape(c.reason), st.cell),
            ]
        )
    widths = [20 * mm, 16 * mm, 26 * mm, 22 * mm, 24 * mm, 26 * mm]
    widths.append(WIDTH - sum(widths))
    return st.table(rows, widths, numeric_from=99)


def _plan_chart(rec: Recommendation, fonts: _Styles) -> Drawing:
    """Predicted interview waits by hour (mean and P90, minutes) for the recommended booths, and the target."""
    p = rec.prediction
    hours = sorted(h for h, s in p.by_hour.items() if s.count)
    target = rec.inputs.targets.stage_seconds[INTERVIEW] / 60
    height = 58 * mm
    drawing = _chart_frame(
        _("Predicted interview waits by hour, {schedule}", schedule=schedule_text(p.staffing)), fonts, height
    )
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = WIDTH - 62 * mm, height - 24 * mm
    chart.data = [
        [(p.by_hour[h].mean or 0.0) / 60 for h in hours] or [0.0],
        [(p.by_hour[h].p90 or 0.0) / 60 for h in hours] or [0.0],
    ]
    chart.categoryAxis.categoryNames = [f"{h:02d}" for h in hours] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    top = max([target * 1.3, *chart.data[1]])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top * 1.05
    chart.valueAxis.labelTextFormat = lambda v: minutes(v * 60)
    chart.bars[0].fillColor = colors.HexColor("#1565c0")
    chart.bars[1].fillColor = colors.HexColor("#90caf9")
    drawing.add(chart)
    y = chart.y + chart.height * target / chart.valueAxis.valueMax
    drawing.add(
        Line(
            chart.x,
            y,
            chart.x + chart.width,
            y,
            strokeColor=colors.HexColor("#c62828"),
            strokeWidth=1.2,
            strokeDashArray=[4, 3],
        )
    )
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, height - 18 * mm
    legend.fontName, legend.fontSize = fonts.regular, 7.5
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.deltay = 9
    legend.colorNamePairs = [
        (colors.HexColor("#1565c0"), _("mean wait")),
        (colors.HexColor("#90caf9"), _("P90 wait")),
        (colors.HexColor("#c62828"), _("target ({minutes} min)", minutes=minutes(target * 60))),
    ]
    drawing.add(legend)
    return drawing


def plan_section(rec: Recommendation | None, note: str | None, st: _Styles) -> list[object]:
    """The staffing plan of the next working day: the recommended booths, the prediction, the chart."""
    heading = Paragraph(escape(_("Staffing plan for the next working day")), st.heading)
    if rec is None:
        return [KeepTogether([heading, Paragraph(escape(note or "—"), st.body)])]
    lines = plan_text.describe(rec)
    rows: list[list[object]] = [[_("Hours"), _("Booths")]]
    rows += [[f"{a:02d}–{b:02d}", str(n)] for a, b, n in rec.blocks()]
    waits: list[list[object]] = [[_("Stage"), _("Category"), _("Waits a day"), _("Median"), _("P90")]]
    for (stage, category), spread in rec.prediction.waits_in_order():
        waits.append(
            [
                rec.inputs.stage_name(stage),
                rec.inputs.category_name(category),
                str(round(spread.count / rec.prediction.replications)),
                minutes(spread.p50),
                minutes(spread.p90),
            ]
        )
    text_lines = [line for line in lines if not line.startswith("  ")]
    return [
        KeepTogether(
            [
                heading,
                *[Paragraph(escape(line), st.body) for line in text_lines],
                Spacer(1, 2 * mm),
                st.table(rows, [30 * mm, 20 * mm]),
                Spacer(1, 3 * mm),
                _plan_chart(rec, st),
            ]
        ),
        st.table(waits, [40 * mm, 40 * mm, 30 * mm, 30 * mm, 30 * mm], numeric_from=2),
    ]


def render(
    report: Report,
    plan: Recommendation | None = None,
    plan_note: str | None = None,
    chain_head: str | None = None,
) -> bytes:
    """The report as PDF bytes (A4 portrait); with the next working day's staffing ``plan`` (or ``plan_note``
    saying why there is none) at the end when given, and the event log's hash-chain heads (``chain_head``, see
    ``store.chain.head_hash``) on the last lines, so a printed copy proves the past."""
    st = _Styles()
    buffer = io.BytesIO()
    generated = office_local(report.generated_at, report.timezone)
    footer = _(
        "{office} · {range} · made {day} {time}",
        office=report.office_name,
        range=report.title_range(),
        day=format_day(generated.date()),
        time=generated.strftime("%H:%M"),
    )

    def on_page(canvas: object, doc: object) -> None:
        c = canvas
        c.saveState()  # type: ignore[attr-defined]
        c.setFont(st.regular, 7)  # type: ignore[attr-defined]
        c.setFillColor(colors.HexColor("#5f6b7a"))  # type: ignore[attr-defined]
        c.drawString(MARGIN, 9 * mm, footer)  # type: ignore[attr-defined]
        page = _("Page {page}", page=c.getPageNumber())  # type: ignore[attr-defined]
        c.drawRightString(A4[0] - MARGIN, 9 * mm, page)  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=_("Queue service report"),
        author=report.office_name,
    )
    summary = _(
        "{tickets} tickets · {served} served · {no_shows} no-shows · {calls} calls out of order",
        tickets=report.tickets,
        served=report.served,
        no_shows=report.no_shows,
        calls=len(report.out_of_order),
    )
    story: list[object] = [
        Paragraph(escape(_("Queue service report")), st.title),
        Paragraph(escape(report.office_name), st.body),
        Paragraph(escape(report.title_range()), st.body),
        Spacer(1, 2 * mm),
        Paragraph(escape(summary), st.body),
        Paragraph(escape(_("Stages (times in minutes)")), st.heading),
        _stage_table(report, st),
        Paragraph(
            escape(
                _(
                    "Wait: from joining a stage's queue to the call. Service: from the start at the counter (or the "
                    "call) to finishing or passing on. P90: 9 in 10 waited at most this long."
                )
            ),
            st.small,
        ),
        Paragraph(escape(_("Within target: applicants who were never called count as not within target.")), st.small),
        Spacer(1, 4 * mm),
        KeepTogether([arrivals_chart(report, st)]),
        Spacer(1, 3 * mm),
        KeepTogether([waits_chart(report, st)]),
        KeepTogether([Paragraph(escape(_("Officers")), st.heading), _officer_table(report, st)]),
    ]
    calls: object = (
        _out_of_order_table(report, st)
        if report.out_of_order
        else Paragraph(escape(_("None: every applicant was called in turn.")), st.body)
    )
    story.append(KeepTogether([Paragraph(escape(_("Calls out of order")), st.heading), calls]))
    if plan is not None or plan_note is not None:
        story += plan_section(plan, plan_note, st)
    if chain_head:
        story += [
            Paragraph(escape(_("Event log")), st.heading),
            Paragraph(escape(_("Hash chain head (keep a copy elsewhere): {heads}", heads=chain_head)), st.small),
        ]
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
