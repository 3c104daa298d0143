package dev.stackquery.benchmarks.report

/**
 * The report's chart: for each charted row, one horizontal bar per contender, scaled to the
 * row's largest figure (so rows with different units sit side by side), with its value, its 99.9%
 * error as a whisker, and StackQuery's ratio to each peer. Plain SVG 1.1, no scripts or fonts.
 */
object SvgChart {
    private const val WIDTH = 980
    private const val LABEL_RIGHT = 300
    private const val BAR_LEFT = 310
    private const val BAR_MAX = 440
    private const val BAR_HEIGHT = 15
    private const val BAR_GAP = 5
    private const val HEADING = 22
    private const val GROUP_GAP = 12
    private const val TOP = 64

    private const val STACKQUERY_COLOR = "#2f6fdb"
    private const val CAFFEINE_COLOR = "#e8a317"
    private const val BASELINE_COLOR = "#8a8f98"

    /** The chart of [rows] (each with its section), under [title] and [subtitle]. */
    fun render(rows: List<Pair<Section, RowResult>>, title: String, subtitle: String): String {
        val body = StringBuilder()
        var y = TOP
        for ((section, result) in rows) {
            val row = result.row
            val bars = listOfNotNull(
                result.stackQuery?.let { Triple(row.stackQuery.label, it, STACKQUERY_COLOR) },
                result.caffeine?.let { Triple(row.caffeine!!.label, it, CAFFEINE_COLOR) },
                result.baseline?.let { Triple(row.baseline!!.label, it, BASELINE_COLOR) },
            )
            if (bars.isEmpty()) continue
            val ratios = listOfNotNull(
                result.ratioTo(result.caffeine)?.let { "${Format.ratio(it)} ${row.caffeine!!.label}" },
                result.ratioTo(result.baseline)?.let { "${Format.ratio(it)} ${row.baseline!!.label}" },
            )
            val heading = "${section.number}. ${section.title}: ${row.case} (${row.unit})"
            body.append(text(16, y + 14, heading, weight = "bold"))
            if (ratios.isNotEmpty()) {
                val summary = "StackQuery = " + ratios.joinToString(", ")
                body.append(text(WIDTH - 16, y + 14, summary, anchor = "end", color = "#555555"))
            }
            y += HEADING
            val scale = bars.maxOf { it.second.mean }.takeIf { it > 0 } ?: 1.0
            for ((label, figure, color) in bars) {
                val width = (figure.mean / scale * BAR_MAX).coerceAtLeast(1.0)
                body.append(text(LABEL_RIGHT, y + BAR_HEIGHT - 3, label, anchor = "end"))
                val rate = row.rate(figure)?.let { " (${Format.number(it)} ${row.rateUnit})" } ?: ""
                val tooltip = escape("$label: ${Format.figure(figure)} ${row.unit}$rate")
                body.append(
                    """<rect x="$BAR_LEFT" y="$y" width="${px(width)}" height="$BAR_HEIGHT" fill="$color"><title>""" +
                        tooltip + "</title></rect>\n",
                )
                var end = BAR_LEFT + width
                val error = figure.error
                if (error != null && error > 0) {
                    val from = BAR_LEFT + ((figure.mean - error) / scale * BAR_MAX).coerceIn(0.0, BAR_MAX.toDouble())
                    val to = BAR_LEFT + ((figure.mean + error) / scale * BAR_MAX).coerceIn(0.0, BAR_MAX + 20.0)
                    val mid = y + BAR_HEIGHT / 2.0
                    body.append(
                        """<line x1="${px(from)}" y1="${px(mid)}" x2="${px(to)}" y2="${px(mid)}" """ +
                            """stroke="#222" stroke-width="1"/>""" + "\n",
                    )
                    end = maxOf(end, to)
                }
                body.append(text(end.toInt() + 8, y + BAR_HEIGHT - 3, Format.figure(figure, row)))
                y += BAR_HEIGHT + BAR_GAP
            }
            y += GROUP_GAP
        }
        val height = y + 20
        return buildString {
            append("""<?xml version="1.0" encoding="UTF-8"?>""").append('\n')
            append(
                """<svg xmlns="http://www.w3.org/2000/svg" width="$WIDTH" height="$height" """ +
                    """viewBox="0 0 $WIDTH $height" """ +
                    """font-family="Helvetica, Arial, sans-serif" font-size="12">""",
            ).append('\n')
            append("""<rect width="$WIDTH" height="$height" fill="#ffffff"/>""").append('\n')
            append(text(16, 24, title, size = 16, weight = "bold"))
            append(text(16, 44, subtitle, size = 11, color = "#555555"))
            append(body)
            append("</svg>\n")
        }
    }

    private fun px(value: Double): String = String.format(java.util.Locale.ROOT, "%.1f", value)

    private fun text(
        x: Int,
        y: Int,
        content: String,
        anchor: String = "start",
        weight: String = "normal",
        size: Int = 12,
        color: String = "#111111",
    ): String = """<text x="$x" y="$y" text-anchor="$anchor" font-weight="$weight" font-size="$size" fill="$color">""" +
        escape(content) + "</text>\n"

    /** XML text escaping. */
    fun escape(s: String): String = buildString(s.length) {
        for (c in s) {
            when (c) {
                '&' -> append("&amp;")
                '<' -> append("&lt;")
                '>' -> append("&gt;")
                '"' -> append("&quot;")
                else -> append(c)
            }
        }
    }
}
