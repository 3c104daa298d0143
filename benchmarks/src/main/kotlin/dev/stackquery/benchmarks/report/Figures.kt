package dev.stackquery.benchmarks.report

import java.util.Locale
import kotlin.math.abs

/** A contender's figure on one row: mean and 99.9% error in the row's unit. */
class Figure(val mean: Double, val error: Double?, val samples: Int)

/** How StackQuery compares with one peer on one row. */
enum class Outcome { LOSES, WINS, WITHIN_ERROR, NOT_COMPARABLE }

/** A row with its figures looked up in the results. */
class RowResult(
    val row: Row,
    val stackQuery: Figure?,
    val caffeine: Figure?,
    val baseline: Figure?,
) {
    fun ratioTo(peer: Figure?): Double? {
        val sq = stackQuery ?: return null
        if (peer == null || peer.mean <= 0.0) return null
        if (sq.mean < row.floor && peer.mean < row.floor) return null
        if (peer.mean < row.floor) return null
        return sq.mean / peer.mean
    }

    /**
     * [Outcome.WITHIN_ERROR] when the two 99.9% intervals overlap, when both figures are under the
     * row's floor, or, when either figure has no error estimate (a single sample), when they differ
     * by at most [UNKNOWN_ERROR_TOLERANCE] of the larger; otherwise whether StackQuery's figure is
     * the higher (it loses: every figure is lower-is-better) or the lower.
     */
    fun outcomeAgainst(peer: Figure?): Outcome {
        val sq = stackQuery ?: return Outcome.NOT_COMPARABLE
        if (peer == null) return Outcome.NOT_COMPARABLE
        if (sq.mean < row.floor && peer.mean < row.floor) return Outcome.WITHIN_ERROR
        var slack = (sq.error ?: 0.0) + (peer.error ?: 0.0)
        if (sq.error == null || peer.error == null) {
            slack = maxOf(slack, UNKNOWN_ERROR_TOLERANCE * maxOf(sq.mean, peer.mean))
        }
        if (abs(sq.mean - peer.mean) <= slack || sq.mean == peer.mean) return Outcome.WITHIN_ERROR
        return if (sq.mean > peer.mean) Outcome.LOSES else Outcome.WINS
    }

    val outcomes: List<Outcome> get() = listOf(outcomeAgainst(caffeine), outcomeAgainst(baseline))

    companion object {
        /** The relative difference taken as noise when a figure has no error estimate. */
        const val UNKNOWN_ERROR_TOLERANCE: Double = 0.10
    }
}

/** Looks figures up in JMH results, converting JMH's units to the report's. */
class ResultIndex(private val results: List<JmhResult>) {
    fun figure(benchmark: String, param: String?, value: String?, metric: String?): Figure? {
        val result = results.firstOrNull { it.name == benchmark && (param == null || it.params[param] == value) }
            ?: return null
        val m = if (metric == null) result.primary else result.secondary[metric] ?: return null
        return Figure(m.mean, m.error, m.samples)
    }

    fun resolve(row: Row): RowResult = RowResult(
        row,
        figure(row, row.stackQuery),
        row.caffeine?.let { figure(row, it) },
        row.baseline?.let { figure(row, it) },
    )

    /** [contender]'s figure on [row]: its own benchmark's, or the row's benchmark with its parameter value. */
    private fun figure(row: Row, contender: Contender): Figure? {
        val param = contender.param?.let { row.param }
        return figure(contender.benchmark ?: row.benchmark, param, contender.param, row.metric)
    }

    /** The result of `Class.method` with no parameters (or the first one). */
    fun reference(benchmark: String): Figure? = figure(benchmark, null, null, null)

    /**
     * The lines of the settings table: a benchmark class with the settings of its first result, or,
     * for a class whose methods ran with different settings, each `Class.method` with its own.
     */
    fun settings(): List<Pair<String, JmhResult>> = results.groupBy { it.benchmarkClass }.flatMap { (name, ofClass) ->
        if (ofClass.map { it.settingsKey() }.distinct().size == 1) {
            listOf(name to ofClass.first())
        } else {
            ofClass.groupBy { it.name }.map { (method, ofMethod) -> method to ofMethod.first() }
        }
    }

    /** The thread counts a benchmark class or `Class.method` ([name]) ran with, for example "1, 2". */
    fun threadsOf(name: String): String = results
        .filter { it.benchmarkClass == name || it.name == name }
        .map { it.threads }.distinct().sorted().joinToString(", ")

    private fun JmhResult.settingsKey(): List<Any> =
        listOf(mode, forks, warmupIterations, warmupTime, measurementIterations, measurementTime, jvmArgs)

    val any: JmhResult? get() = results.firstOrNull()
}

/** Number formatting for the report: 3 significant digits below 1,000, thousands separators above. */
object Format {
    fun number(value: Double): String = String.format(
        Locale.ROOT,
        if (abs(value) >= 1000) {
            "%,.0f"
        } else {
            "%.${decimals(value)}f"
        },
        value,
    )

    /** Decimals shown for [value]: three significant digits below 1,000, none above. */
    private fun decimals(value: Double): Int = when {
        value == 0.0 || abs(value) >= 100 -> 0
        abs(value) >= 10 -> 1
        abs(value) >= 1 -> 2
        else -> 3
    }

    /**
     * `"41.5 ± 2.1"`: the error with as many decimals as the mean, left out when it rounds to
     * zero there; `"≈ 0"` under [floor]; `"—"` when missing.
     */
    fun figure(figure: Figure?, floor: Double = 0.0): String {
        if (figure == null) return "—"
        if (figure.mean < floor) return "≈ 0"
        val mean = number(figure.mean)
        val error = figure.error ?: return mean
        val places = if (abs(figure.mean) >= 1000) 0 else decimals(figure.mean)
        val shown = String.format(Locale.ROOT, if (error >= 1000) "%,.0f" else "%.${places}f", error)
        return if (shown.any { it in '1'..'9' }) "$mean ± $shown" else mean
    }

    /**
     * [figure] as [Format.figure] shows it on [row], followed by its rate when the row has one:
     * `"55.8 ± 3.1 (17,921 rows/s)"`.
     */
    fun figure(figure: Figure?, row: Row): String {
        val shown = figure(figure, row.floor)
        val rate = row.rate(figure) ?: return shown
        if (figure == null || figure.mean < row.floor) return shown
        return "$shown (${number(rate)} ${row.rateUnit})"
    }

    /** `"3.77×"`; `"—"` when there is no ratio. */
    fun ratio(ratio: Double?): String = if (ratio == null) "—" else "${ratioNumber(ratio)}×"

    private fun ratioNumber(ratio: Double): String = when {
        ratio >= 100 -> String.format(Locale.ROOT, "%,.0f", ratio)
        ratio >= 10 -> String.format(Locale.ROOT, "%.1f", ratio)
        ratio >= 0.01 -> String.format(Locale.ROOT, "%.2f", ratio)
        else -> String.format(Locale.ROOT, "%.4f", ratio)
    }

    /** A plain-words comparison: "3.8× slower than Caffeine", "1/2,400 of Caffeine's time". */
    fun comparison(result: RowResult, peer: Figure?, peerLabel: String): String? {
        val ratio = result.ratioTo(peer)
        return when (result.outcomeAgainst(peer)) {
            Outcome.NOT_COMPARABLE -> null
            Outcome.WITHIN_ERROR -> "on par with $peerLabel (within the error)"
            Outcome.LOSES -> when (ratio) {
                null -> "above $peerLabel's (StackQuery loses)"
                else -> "${ratio(ratio)} $peerLabel's figure (StackQuery loses)"
            }
            Outcome.WINS -> {
                val better = ratio(ratio?.let { 1 / it })
                "${ratio(ratio)} $peerLabel's figure (StackQuery wins, $better better)"
            }
        }
    }
}
