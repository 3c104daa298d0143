package dev.stackquery.benchmarks.report

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.double
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.math.sqrt

/** One metric of one benchmark run: its mean over every measured iteration of every fork. */
class Metric(
    /** Mean of the per-iteration values. */
    val mean: Double,
    /** Half-width of JMH's 99.9% confidence interval of the mean; `null` when JMH could not compute one. */
    val error: Double?,
    /** JMH's unit: `ns/op`, `us/op`, `ms/op`, `#` (a counter). */
    val unit: String,
    /** How many values the mean is of (iterations × forks). */
    val samples: Int,
)

/** One entry of JMH's JSON result file (`-rf json`): a benchmark method with one set of parameters. */
class JmhResult(
    /** `Class.method`, for example `FreshHitBenchmark.read1Thread`. */
    val name: String,
    val params: Map<String, String>,
    /** JMH's short mode name: `avgt`, `ss`, `thrpt`, `sample`. */
    val mode: String,
    val threads: Int,
    val forks: Int,
    val warmupIterations: Int,
    val warmupTime: String,
    val measurementIterations: Int,
    val measurementTime: String,
    val jvmArgs: List<String>,
    val jdkVersion: String,
    val vmName: String,
    val vmVersion: String,
    val jmhVersion: String,
    val primary: Metric,
    val secondary: Map<String, Metric>,
) {
    /** The benchmark class's simple name. */
    val benchmarkClass: String get() = name.substringBefore('.')

    companion object {
        /** Parses the whole JSON array JMH wrote. */
        fun parseAll(json: String): List<JmhResult> =
            Json.parseToJsonElement(json).jsonArray.map { parse(it.jsonObject) }

        private fun parse(o: JsonObject): JmhResult {
            val fullName = o.string("benchmark")
            val parts = fullName.split('.')
            return JmhResult(
                name = parts.takeLast(2).joinToString("."),
                params = (o["params"] as? JsonObject)?.mapValues { it.value.jsonPrimitive.content }.orEmpty(),
                mode = o.string("mode"),
                threads = o.getValue("threads").jsonPrimitive.int,
                forks = o.getValue("forks").jsonPrimitive.int,
                warmupIterations = o.getValue("warmupIterations").jsonPrimitive.int,
                warmupTime = o.string("warmupTime"),
                measurementIterations = o.getValue("measurementIterations").jsonPrimitive.int,
                measurementTime = o.string("measurementTime"),
                jvmArgs = (o["jvmArgs"] as? JsonArray)?.map { it.jsonPrimitive.content }.orEmpty(),
                jdkVersion = o.string("jdkVersion"),
                vmName = o.string("vmName"),
                vmVersion = o.string("vmVersion"),
                jmhVersion = o.string("jmhVersion"),
                primary = metric(o.getValue("primaryMetric").jsonObject),
                secondary = (o["secondaryMetrics"] as? JsonObject)?.mapValues { metric(it.value.jsonObject) }.orEmpty(),
            )
        }

        /**
         * A metric from its raw per-iteration data. JMH's own `score` of an `@AuxCounters` counter
         * is the sum over the iterations, not the mean, so every mean is recomputed from `rawData`
         * (for time metrics it equals JMH's score). The error is JMH's where it gave one; for
         * counters it is the same 99.9% half-width, from the Student t quantile JMH uses.
         */
        private fun metric(o: JsonObject): Metric {
            val values = o.getValue("rawData").jsonArray.flatMap { fork ->
                fork.jsonArray.map { it.jsonPrimitive.double }
            }
            require(values.isNotEmpty()) { "a metric without raw data: $o" }
            val mean = values.average()
            val unit = o.string("scoreUnit")
            val jmhError = (o["scoreError"] as? JsonPrimitive)?.doubleOrNull?.takeIf { it.isFinite() }
            val error = if (unit == "#") halfWidth999(values) else jmhError
            return Metric(mean, error, unit, values.size)
        }

        private fun JsonObject.string(key: String): String = getValue(key).jsonPrimitive.content

        /** Half-width of the 99.9% confidence interval of the mean of [values]; `null` below 2 values. */
        internal fun halfWidth999(values: List<Double>): Double? {
            if (values.size < 2) return null
            val mean = values.average()
            val variance = values.sumOf { (it - mean) * (it - mean) } / (values.size - 1)
            return studentT9995(values.size - 1) * sqrt(variance / values.size)
        }

        /** The 0.9995 quantile of Student's t distribution for [df] degrees of freedom. */
        private fun studentT9995(df: Int): Double {
            val table = doubleArrayOf(
                636.619, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587,
                4.437, 4.318, 4.221, 4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850,
                3.819, 3.792, 3.768, 3.745, 3.725, 3.707, 3.690, 3.674, 3.659, 3.646,
            )
            return when {
                df <= table.size -> table[df - 1]
                df <= 40 -> 3.551
                df <= 60 -> 3.460
                df <= 120 -> 3.373
                else -> 3.291
            }
        }
    }
}
