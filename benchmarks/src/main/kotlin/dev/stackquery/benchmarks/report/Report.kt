@file:JvmName("Report")

package dev.stackquery.benchmarks.report

import java.io.File
import kotlin.system.exitProcess

private const val USAGE = """usage: Report --results FILE.json --markdown FILE.md --svg FILE.svg
              [--quick] [--started ISO-8601] [--duration-seconds N]
              [--load-before "1 5 15"] [--load-after "1 5 15"] [--commit REV]
Writes the benchmark report (Markdown, with the SVG chart linked by a relative path) from JMH's JSON results."""

/**
 * The report generator that `benchmarks/run` calls after the JMH run: reads JMH's JSON results and
 * writes the Markdown report and its SVG chart. See [USAGE].
 */
fun main(args: Array<String>) {
    val options = try {
        parseArguments(args)
    } catch (e: IllegalArgumentException) {
        System.err.println("Report: ${e.message}\n$USAGE")
        exitProcess(2)
    }
    val results = File(options.getValue("results"))
    val markdown = File(options.getValue("markdown"))
    val svg = File(options.getValue("svg"))
    val run = RunInfo(
        started = options["started"] ?: java.time.Instant.now().toString(),
        durationSeconds = options["duration-seconds"]?.toLongOrNull(),
        loadBefore = options["load-before"],
        loadAfter = options["load-after"],
        commit = options["commit"],
        resultsFile = options["results-name"] ?: results.name,
        quick = "quick" in options,
    )
    val written = writeReport(JmhResult.parseAll(results.readText()), run, MachineInfo.current(), markdown, svg)
    for (missing in written.missing) System.err.println("Report: no result for $missing")
    println("Report: wrote $markdown and $svg")
}

/** What [writeReport] did: the rows it found no StackQuery result for. */
class Written(val missing: List<String>)

/** Writes [markdown] and [svg] for [results]; the Markdown links the chart by its path relative to itself. */
fun writeReport(results: List<JmhResult>, run: RunInfo, machine: MachineInfo, markdown: File, svg: File): Written {
    val index = ResultIndex(results)
    val chartPath = (markdown.absoluteFile.parentFile ?: File(".")).toPath()
        .relativize(svg.absoluteFile.toPath()).toString().replace(File.separatorChar, '/')
    val report = MarkdownReport(SECTIONS, index, machine, run, chartPath)
    val title = "StackQuery vs Caffeine, the JDK/kotlinx floors and the seed's SQLite recipe (lower is better)"
    val subtitle = buildString {
        append(run.started.substringBefore('T')).append(" · ").append(machine.cpu)
        append(", ").append(machine.cores).append(" cores · ")
        append(index.any?.let { "JDK ${it.jdkVersion}" } ?: "no results")
        append(" · bars scaled per line; whiskers: 99.9% error")
        if (run.quick) append(" · QUICK SMOKE RUN, NOT MEASUREMENTS")
    }
    markdown.absoluteFile.parentFile?.mkdirs()
    svg.absoluteFile.parentFile?.mkdirs()
    // Keep the blocks measured apart from the suite's run (SyncLatency, a measured run, not JMH;
    // InfinitePageAppendBenchmark, run alone) that live in the same file between their markers.
    val kept = markdown.takeIf { it.exists() }?.readText()?.let { text ->
        Regex("(?s)<!-- ([a-z-]+):start -->.*?<!-- \\1:end -->").findAll(text).joinToString("\n\n") { it.value }
    }?.takeIf { it.isNotEmpty() }
    markdown.writeText(report.render().let { if (kept == null) it else it.trimEnd() + "\n\n" + kept + "\n" })
    svg.writeText(SvgChart.render(report.chartRows(), title, subtitle))
    val missing = SECTIONS.filterNot { it.pending }.flatMap { section ->
        section.rows
            .filter { index.resolve(it).stackQuery == null }
            .map { "${section.number}. ${section.title}: ${it.case}" }
    }
    return Written(missing)
}

/** `--name value` pairs and bare `--flag`s; throws [IllegalArgumentException] on anything else. */
internal fun parseArguments(args: Array<String>): Map<String, String> {
    val flags = setOf("quick")
    val valued = setOf(
        "results", "markdown", "svg", "started", "duration-seconds",
        "load-before", "load-after", "commit", "results-name",
    )
    val out = LinkedHashMap<String, String>()
    var i = 0
    while (i < args.size) {
        val name = args[i].removePrefix("--")
        require(args[i].startsWith("--")) { "unexpected argument '${args[i]}'" }
        when (name) {
            in flags -> out[name] = "true"
            in valued -> {
                require(i + 1 < args.size) { "--$name needs a value" }
                out[name] = args[++i]
            }
            else -> throw IllegalArgumentException("unknown option --$name")
        }
        i++
    }
    for (required in listOf("results", "markdown", "svg")) require(required in out) { "--$required is required" }
    return out
}
