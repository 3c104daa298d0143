package dev.stackquery.benchmarks.report

/** Builds JMH JSON results (the `-rf json` format, reduced to the fields the generator reads) for tests. */
object JmhJson {
    fun result(
        benchmark: String,
        params: Map<String, String>,
        raw: List<List<Double>>,
        unit: String = "ns/op",
        error: Double? = null,
        mode: String = "avgt",
        threads: Int = 1,
        secondary: Map<String, Pair<List<List<Double>>, String>> = emptyMap(),
    ): String {
        val paramsJson = params.entries.joinToString(",") { (k, v) -> "\"$k\":\"$v\"" }
        val secondaryJson = secondary.entries.joinToString(",") { (name, metric) ->
            "\"$name\":${metric(metric.first, metric.second, null)}"
        }
        val time = if (mode == "ss") "single-shot" else "1 s"
        return """
            {"jmhVersion":"1.37","benchmark":"dev.stackquery.benchmarks.$benchmark","mode":"$mode","threads":$threads,
             "forks":${raw.size},"jvm":"/usr/bin/java","jvmArgs":["-Xms1g","-Xmx1g"],"jdkVersion":"17.0.15",
             "vmName":"OpenJDK 64-Bit Server VM","vmVersion":"17.0.15+6","warmupIterations":3,"warmupTime":"$time",
             "warmupBatchSize":1,"measurementIterations":${raw.first().size},"measurementTime":"$time","measurementBatchSize":1,
             "params":{$paramsJson},"primaryMetric":${metric(raw, unit, error)},"secondaryMetrics":{$secondaryJson}}
        """.trimIndent()
    }

    private fun metric(raw: List<List<Double>>, unit: String, error: Double?): String {
        val all = raw.flatten()
        val score = if (unit == "#") all.sum() else all.average() // JMH sums counters over iterations
        val rawJson = raw.joinToString(",", "[", "]") { fork -> fork.joinToString(",", "[", "]") }
        return """{"score":$score,"scoreError":${error ?: "\"NaN\""},"scoreUnit":"$unit","rawData":$rawJson}"""
    }

    fun array(vararg results: String): String = results.joinToString(",\n", "[\n", "\n]")
}
