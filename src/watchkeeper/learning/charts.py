"""K5: recurring themes across years as an inline SVG drawn on the server (no script, no chart library).

A dot matrix: one row per theme, one column per year, a dot whose area grows with the number of cases,
the number written beside it, and a line joining the years a theme was seen, so a theme that keeps
coming back reads as a long line at a glance. Themes seen in two or more years are marked "recurring" in
words, not only by the line. The page gives the same numbers as a table for people who do not use the
picture.
"""

from __future__ import annotations

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from watchkeeper.learning.queries import ThemeChart

LABEL_W, COL_W, ROW_H, HEAD_H, PAD, NOTE_W = 220, 64, 30, 34, 12, 150
MAX_R = 12.0
INK, MUTED, LINE, DOT, DOT_RECURRING = "#1b1f24", "#4f5864", "#cfd5dd", "#6f8fb8", "#0a4a91"


def _radius(count: int, biggest: int) -> float:
    if count <= 0 or biggest <= 0:
        return 0.0
    return max(3.5, MAX_R * math.sqrt(count / biggest))


def themes_svg(chart: ThemeChart) -> SafeString:
    """The chart as SVG markup (every text escaped), sized to its rows and years."""
    if not chart.series or not chart.years:
        return mark_safe("")
    width = LABEL_W + COL_W * len(chart.years) + NOTE_W + PAD
    height = HEAD_H + ROW_H * len(chart.series) + PAD
    biggest = chart.max_count
    recurring = set(chart.recurring)
    parts: list[SafeString] = []
    for i, year in enumerate(chart.years):
        x = LABEL_W + COL_W * i + COL_W / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-weight="700" fill="{}">{}</text>',
                f"{x:.0f}",
                HEAD_H - 12,
                INK,
                year,
            )
        )
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                f"{x:.0f}",
                HEAD_H - 4,
                f"{x:.0f}",
                height - PAD,
                LINE,
            )
        )
    for row, s in enumerate(chart.series):
        y = HEAD_H + ROW_H * row + ROW_H / 2
        again = s.label in recurring
        label = f"{s.label[:30]}{'…' if len(s.label) > 30 else ''}"
        parts.append(
            format_html(
                '<text x="{}" y="{}" dominant-baseline="middle" fill="{}"{}>{}</text>',
                8,
                f"{y:.0f}",
                INK,
                mark_safe(' font-weight="700"') if again else "",
                label,
            )
        )
        note = f"{s.years} year{'' if s.years == 1 else 's'}" + (" · recurring" if again else "")
        parts.append(
            format_html(
                '<text x="{}" y="{}" dominant-baseline="middle" fill="{}" font-size="12"{}>{}</text>',
                LABEL_W + COL_W * len(chart.years) + 8,
                f"{y:.0f}",
                INK if again else MUTED,
                mark_safe(' font-weight="700"') if again else "",
                note,
            )
        )
        seen = [i for i, yr in enumerate(chart.years) if s.counts.get(yr)]
        if len(seen) > 1:
            x1 = LABEL_W + COL_W * seen[0] + COL_W / 2
            x2 = LABEL_W + COL_W * seen[-1] + COL_W / 2
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" '
                    'stroke-linecap="round"/>',
                    f"{x1:.0f}",
                    f"{y:.0f}",
                    f"{x2:.0f}",
                    f"{y:.0f}",
                    DOT,
                )
            )
        for i in seen:
            count = s.counts[chart.years[i]]
            x = LABEL_W + COL_W * i + COL_W / 2
            r = _radius(count, biggest)
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="{}" fill="{}"><title>{}: {} case{} in {}</title></circle>',
                    f"{x:.0f}",
                    f"{y:.0f}",
                    f"{r:.1f}",
                    DOT_RECURRING if again else DOT,
                    s.label,
                    count,
                    "" if count == 1 else "s",
                    chart.years[i],
                )
            )
            parts.append(
                format_html(
                    '<text x="{}" y="{}" dominant-baseline="middle" font-size="11" fill="{}">{}</text>',
                    f"{x + r + 2:.0f}",
                    f"{y:.0f}",
                    INK,
                    count,
                )
            )
    body = format_html_join("", "{}", ((p,) for p in parts))
    return format_html(
        '<svg class="themes-chart" role="img" aria-labelledby="themes-chart-title themes-chart-desc" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, sans-serif" font-size="13">'
        '<title id="themes-chart-title">Lesson themes by year</title>'
        '<desc id="themes-chart-desc">Cases per theme for each year from {first} to {last}; {n} of {total} '
        "themes recur in two or more years. The table below gives the same numbers.</desc>"
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>{body}</svg>',
        w=width,
        h=height,
        first=chart.years[0],
        last=chart.years[-1],
        n=len(recurring),
        total=len(chart.series),
        body=body,
    )
