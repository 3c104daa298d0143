// Expected output is quoted whole: a rendered table row or a printed line is one literal, unwrapped.
@file:Suppress("ktlint:standard:max-line-length")

package dev.stackquery.benchmarks.report

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.io.File
import java.nio.file.Files
import javax.xml.parsers.DocumentBuilderFactory

class ReportSpec : FunSpec({
    val contender = { name: String -> mapOf("contender" to name) }
    val results = JmhJson.array(
        JmhJson.result(
            "FreshHitBenchmark.read1Thread",
            contender("StackQuery"),
            listOf(listOf(40.0, 40.0), listOf(40.0, 40.0)),
            error = 2.0,
            secondary = mapOf("gc.alloc.rate.norm" to (listOf(listOf(0.01, 0.01), listOf(0.01, 0.01)) to "B/op")),
        ),
        JmhJson.result(
            "FreshHitBenchmark.read1Thread",
            contender("Caffeine"),
            listOf(listOf(10.0, 10.0), listOf(10.0, 10.0)),
            error = 0.5,
            secondary = mapOf(
                "gc.alloc.rate.norm" to (listOf(listOf(0.0001, 0.0001), listOf(0.0001, 0.0001)) to "B/op"),
            ),
        ),
        JmhJson.result(
            "FreshHitBenchmark.read1Thread",
            contender("ConcurrentHashMap"),
            listOf(listOf(8.0, 8.0), listOf(8.0, 8.0)),
            error = 0.5,
        ),
        JmhJson.result(
            "StampedeBenchmark.stampede",
            contender("StackQuery"),
            listOf(listOf(50.0, 52.0, 54.0)),
            unit = "ms/op",
            error = 30.0,
            mode = "ss",
            secondary = mapOf("loaderCalls" to (listOf(listOf(1.0, 4.0, 3.0)) to "#")),
        ),
        JmhJson.result(
            "StampedeBenchmark.stampede",
            contender("Caffeine"),
            listOf(listOf(40.0, 45.0, 50.0)),
            unit = "ms/op",
            error = 40.0,
            mode = "ss",
            secondary = mapOf("loaderCalls" to (listOf(listOf(1.0, 1.0, 1.0)) to "#")),
        ),
        JmhJson.result(
            "PrefixInvalidationBenchmark.run",
            mapOf("operation" to "StackQuery.invalidateQueries"),
            listOf(listOf(70.0, 70.0)),
            unit = "us/op",
            error = 5.0,
        ),
        JmhJson.result(
            "PrefixInvalidationBenchmark.run",
            mapOf("operation" to "Caffeine.removeIf"),
            listOf(listOf(327_000.0, 327_000.0)),
            unit = "us/op",
            error = 9000.0,
        ),
        JmhJson.result("ClockReadBenchmark.currentTimeMillis", emptyMap(), listOf(listOf(35.0, 35.0)), error = 1.0),
    )
    val run =
        RunInfo(
            "2026-01-02T03:04:05Z",
            600,
            "1.00 0.50 0.25",
            "2.00 1.00 0.50",
            "abc1234",
            "benchmarks/results/x.json",
            quick = false,
        )
    val machine = MachineInfo("Test CPU", 2, "24.0 GiB", "Test OS")

    fun render(quick: Boolean = false): String {
        val runInfo = if (quick) RunInfo(run.started, null, null, null, null, run.resultsFile, quick = true) else run
        return MarkdownReport(
            SECTIONS,
            ResultIndex(JmhResult.parseAll(results)),
            machine,
            runInfo,
            "benchmarks.svg",
        ).render()
    }

    test("a counter's figure is its mean per iteration, not JMH's sum over the iterations") {
        val stampede = JmhResult.parseAll(results).single {
            it.name == "StampedeBenchmark.stampede" &&
                it.params["contender"] == "StackQuery"
        }
        stampede.secondary.getValue("loaderCalls").mean shouldBe (8.0 / 3 plusOrMinus 1e-9)
        stampede.secondary.getValue("loaderCalls").samples shouldBe 3
        stampede.primary.mean shouldBe 52.0
        stampede.primary.error shouldBe 30.0
        stampede.benchmarkClass shouldBe "StampedeBenchmark"
    }

    test("a counter's error is the 99.9% half-width of its per-iteration values") {
        // values 1, 4, 3: mean 8/3, sample sd 1.5275; t(0.9995, df 2) = 31.599; half-width = 31.599 * 1.5275 / sqrt(3)
        JmhResult.halfWidth999(listOf(1.0, 4.0, 3.0))!! shouldBe (27.867 plusOrMinus 0.001)
        JmhResult.halfWidth999(listOf(5.0)) shouldBe null
    }

    test("the summary gives each figure with its error and StackQuery's ratio to each peer, bold where it loses") {
        val markdown = render()
        markdown shouldContain
            "| 1 | [Fresh-hit read](#1-fresh-hit-read) | 1 thread | ns/op | 40.0 ± 2.0 | 10.0 ± 0.5 | **4.00×** | " +
            "ConcurrentHashMap: 8.00 ± 0.50 | **5.00×** |"
        markdown shouldContain
            "| 4 | [Prefix invalidation](#4-prefix-invalidation) | invalidateQueries vs removeIf | µs/op | 70.0 ± 5.0 | " +
            "327,000 ± 9,000 | 0.0002× | — | — |"
        markdown shouldContain
            "| 3 | [Cold-key stampede](#3-cold-key-stampede) | wall time | ms | 52.0 ± 30.0 | 45.0 ± 40.0 | 1.16× (≈) | — | — |"
    }

    test("allocation figures under the floor read as zero and get no ratio") {
        render() shouldContain
            "| 1 | [Fresh-hit read](#1-fresh-hit-read) | allocated per read, 1 thread | B/op | ≈ 0 | ≈ 0 | ≈ | ConcurrentHashMap: — | — |"
    }

    test("the losses are listed with their ratios, and wins are not") {
        val markdown = render()
        markdown shouldContain
            "- **1. Fresh-hit read, 1 thread** (StackQuery): 4.00× Caffeine, 5.00× ConcurrentHashMap (the floor). " +
            "[Why, and the fix](#1-fresh-hit-read)."
        markdown shouldNotContain "- **4. Prefix invalidation"
        markdown shouldNotContain "- **3. Cold-key stampede, wall time**"
    }

    test("a section explains a loss where StackQuery loses and a win where it wins") {
        val markdown = render()
        val freshHit = markdown.substringAfter("## 1. Fresh-hit read").substringBefore("## 2.")
        freshHit shouldContain "**Where StackQuery loses, and what would fix it.**"
        freshHit shouldNotContain "**Where StackQuery wins.**"
        freshHit shouldContain
            "- For reference, one `System.currentTimeMillis()` (the clock a fresh hit reads): 35.0 ± 1.0 ns/op."
        val prefix = markdown.substringAfter("## 4. Prefix invalidation").substringBefore("## 5.")
        prefix shouldContain "**Where StackQuery wins.**"
        prefix shouldNotContain "**Where StackQuery loses"
        prefix shouldContain
            "- **invalidateQueries vs removeIf** (µs/op): StackQuery invalidateQueries 70.0 ± 5.0, Caffeine removeIf 327,000 ± 9,000. " +
            "0.0002× Caffeine removeIf's figure (StackQuery wins, 4,671× better)."
        val stampede = markdown.substringAfter("## 3. Cold-key stampede").substringBefore("## 4.")
        stampede shouldNotContain "**Where StackQuery"
    }

    test("benchmarks missing from the results show as missing") {
        val markdown = render()
        markdown shouldContain
            "| 5 | [Observer fan-out](#5-observer-fan-out) | publish to 10,000 collectors | ms/op | — | — | — | StateFlow: — | — |"
        markdown shouldContain
            "| 7 | [L2 write-behind into SQLite](#7-l2-write-behind-into-sqlite) | 100,000 rows through the client | µs/row | — | — | — | " +
            "seed recipe: — | — |"
    }

    test("a benchmark announced but not written yet shows as a marked placeholder") {
        val sections =
            SECTIONS.take(1) + Section(8, "Future benchmark", "Not measured yet.", emptyList(), "", "", pending = true)
        val markdown = MarkdownReport(
            sections,
            ResultIndex(JmhResult.parseAll(results)),
            machine,
            run,
            "benchmarks.svg",
        ).render()
        markdown shouldContain "| 8 | [Future benchmark](#8-future-benchmark) | not measured yet | | | | | | |"
        markdown shouldContain
            "## 8. Future benchmark\n\n<!-- BENCHMARK 8 PLACEHOLDER: replaced when this benchmark is added. -->\nNot measured yet."
    }

    test(
        "benchmark 7: contenders measured by methods of their own, each figure with its rate, and the settings per method",
    ) {
        val writeBehind = JmhJson.array(
            JmhJson.result(
                "WriteBehindBenchmark.stackQuery",
                emptyMap(),
                listOf(listOf(50.0, 50.0, 50.0), listOf(50.0, 50.0, 50.0)),
                unit = "us/op",
                error = 4.0,
                mode = "ss",
            ),
            JmhJson.result(
                "WriteBehindBenchmark.seedConnectionPerWrite",
                emptyMap(),
                listOf(listOf(2000.0, 2000.0), listOf(2000.0, 2000.0)),
                unit = "us/op",
                error = 100.0,
                mode = "ss",
            ),
            JmhJson.result(
                "WriteBehindBenchmark.storageSetPerRow",
                emptyMap(),
                listOf(listOf(250.0, 250.0, 250.0), listOf(250.0, 250.0, 250.0)),
                unit = "us/op",
                error = 10.0,
                mode = "ss",
            ),
        )
        val markdown = MarkdownReport(
            SECTIONS,
            ResultIndex(JmhResult.parseAll(writeBehind)),
            machine,
            run,
            "benchmarks.svg",
        ).render()
        markdown shouldContain
            "| 7 | [L2 write-behind into SQLite](#7-l2-write-behind-into-sqlite) | 100,000 rows through the client | µs/row | " +
            "50.0 ± 4.0 (20,000 rows/s) | — | — | seed recipe: 2,000 ± 100 (500 rows/s) | 0.03× |"
        markdown shouldContain
            "| 7 | [L2 write-behind into SQLite](#7-l2-write-behind-into-sqlite) | experiment: ExposedStorage.set, one row per transaction | " +
            "µs/row | 250 ± 10 (4,000 rows/s) | — | — | seed recipe: 2,000 ± 100 (500 rows/s) | 0.13× |"
        val section = markdown.substringAfter("## 7. L2 write-behind into SQLite").substringBefore("## Machine")
        section shouldContain
            "- **100,000 rows through the client** (µs/row): StackQuery 50.0 ± 4.0 (20,000 rows/s), " +
            "seed recipe 2,000 ± 100 (500 rows/s). 0.03× seed recipe's figure (StackQuery wins, 40.0× better)."
        section shouldContain "**Where StackQuery wins.** The caller never waits for SQLite"
        markdown shouldContain "| `WriteBehindBenchmark.stackQuery` | single shot | 2 | 3 | 3 | 1 | `-Xms1g -Xmx1g` |"
        markdown shouldContain
            "| `WriteBehindBenchmark.seedConnectionPerWrite` | single shot | 2 | 3 | 2 | 1 | `-Xms1g -Xmx1g` |"
    }

    test("a rate needs a time per item") {
        val stackQuery = Contender("StackQuery", "StackQuery")
        shouldThrow<IllegalArgumentException> { Row("x", "A.b", "B/entry", stackQuery, rateUnit = "rows/s") }
            .message shouldBe "row x: a rate needs a time per item, not B/entry"
        Row("x", "A.b", "ms/row", stackQuery, rateUnit = "rows/s").rate(Figure(4.0, null, 1)) shouldBe 250.0
        Row("x", "A.b", "ns/op", stackQuery).rate(Figure(4.0, null, 1)) shouldBe null
        shouldThrow<IllegalArgumentException> { Contender("nowhere", null) }.message shouldBe
            "contender nowhere: a parameter value or a benchmark of its own"
    }

    test("the machine, the date, the load and the JMH settings of each benchmark are stated") {
        val markdown = render()
        markdown shouldContain
            "- **Date:** 2026-01-02T03:04:05Z, the JMH run took 10 min 0 s (plus about a minute of build)"
        markdown shouldContain "- **CPU:** Test CPU, 2 logical cores; **RAM:** 24.0 GiB"
        markdown shouldContain "- **JDK:** OpenJDK 64-Bit Server VM 17.0.15+6 (Java 17.0.15); **JMH** 1.37"
        markdown shouldContain "- **Load average** (1, 5, 15 min): 1.00 0.50 0.25 before the run, 2.00 1.00 0.50 after."
        markdown shouldContain "| `FreshHitBenchmark` | average time | 2 | 3 × 1 s | 2 × 1 s | 1 | `-Xms1g -Xmx1g` |"
        markdown shouldContain "| `StampedeBenchmark` | single shot | 1 | 3 | 3 | 1 | `-Xms1g -Xmx1g` |"
        markdown shouldContain "![StackQuery, Caffeine and the floors, benchmark by benchmark](benchmarks.svg)"
    }

    test("a quick run is marked as a smoke test") {
        render(quick = true) shouldContain "> **Smoke-test run (`benchmarks/run --quick`)"
        render() shouldNotContain "Smoke-test run"
    }

    test("the chart is well-formed SVG with one bar per figure and StackQuery's ratios") {
        val dir = Files.createTempDirectory("report").toFile()
        try {
            val markdownFile = File(dir, "docs/benchmarks.md")
            val svgFile = File(dir, "docs/benchmarks.svg")
            val written = writeReport(JmhResult.parseAll(results), run, machine, markdownFile, svgFile)
            val document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svgFile)
            // fresh hit 1 thread: 3 bars; stampede wall time and loader calls: 2 + 2; prefix invalidate: 2
            document.getElementsByTagName("rect").length shouldBe 1 + 3 + 2 + 2 + 2 // + the background
            val svg = svgFile.readText()
            svg shouldContain "StackQuery = 4.00× Caffeine, 5.00× ConcurrentHashMap"
            svg shouldContain ">327,000 ± 9,000</text>"
            markdownFile.readText() shouldContain "](benchmarks.svg)"
            written.missing shouldContainExactly listOf(
                "1. Fresh-hit read: 2 threads",
                "1. Fresh-hit read: 1 thread, experiment: coarse clock",
                "1. Fresh-hit read: 2 threads, experiment: coarse clock",
                "2. Java facade fresh hit: 1 thread",
                "2. Java facade fresh hit: 2 threads",
                "2. Java facade fresh hit: allocated per read, 1 thread",
                "3. Cold-key stampede: wall time, default staleTime 0",
                "3. Cold-key stampede: loader calls per stampede, default staleTime 0",
                "4. Prefix invalidation: removeQueries vs removeIf",
                "5. Observer fan-out: publish to 10,000 collectors",
                "6. Memory per entry: bytes per entry",
                "6. Memory per entry: fill 1,000,000 entries",
                "7. L2 write-behind into SQLite: 100,000 rows through the client",
                "7. L2 write-behind into SQLite: experiment: ExposedStorage.set, one row per transaction",
                "8. Equal-refetch fan-out: equal refetch, DATA-only observers",
                "8. Equal-refetch fan-out: equal refetch, all-fields observers (context)",
                "8. Equal-refetch fan-out: experiment: equal refetch, no observers",
                "8. Equal-refetch fan-out: allocated per refetch, DATA-only observers",
            )
        } finally {
            dir.deleteRecursively()
        }
    }

    test("the chart is linked by its path relative to the Markdown file") {
        val dir = Files.createTempDirectory("report").toFile()
        try {
            writeReport(
                JmhResult.parseAll(results),
                run,
                machine,
                File(dir, "docs/benchmarks.md"),
                File(dir, "img/chart.svg"),
            )
            File(dir, "docs/benchmarks.md").readText() shouldContain "](../img/chart.svg)"
        } finally {
            dir.deleteRecursively()
        }
    }

    test("figures keep three significant digits, and an error that rounds to nothing is left out") {
        Format.figure(Figure(41.52, 2.104, 10)) shouldBe "41.5 ± 2.1"
        Format.figure(Figure(276.98, 0.001, 3)) shouldBe "277"
        Format.figure(Figure(327_432.5, 12_345.0, 10)) shouldBe "327,433 ± 12,345"
        Format.figure(Figure(0.3, null, 1), floor = 0.5) shouldBe "≈ 0"
        Format.figure(null) shouldBe "—"
        Format.ratio(4.0) shouldBe "4.00×"
        Format.ratio(4785.3) shouldBe "4,785×"
    }

    test("the generator's options are checked") {
        parseArguments(arrayOf("--results", "r.json", "--markdown", "m.md", "--svg", "c.svg", "--quick")) shouldBe
            mapOf("results" to "r.json", "markdown" to "m.md", "svg" to "c.svg", "quick" to "true")
        shouldThrow<IllegalArgumentException> { parseArguments(arrayOf("--results", "r.json", "--markdown", "m.md")) }
            .message shouldBe "--svg is required"
        shouldThrow<IllegalArgumentException> { parseArguments(arrayOf("--colour", "red")) }
            .message shouldBe "unknown option --colour"
    }

    test(
        "without an error estimate (one sample), a difference of at most 10% is not a loss; allocating against none is",
    ) {
        val single = JmhJson.array(
            JmhJson.result(
                "FacadeFreshHitBenchmark.join1Thread",
                contender("StackQuery"),
                listOf(listOf(95.0)),
                secondary = mapOf("gc.alloc.rate.norm" to (listOf(listOf(2.0)) to "B/op")),
            ),
            JmhJson.result(
                "FacadeFreshHitBenchmark.join1Thread",
                contender("Caffeine"),
                listOf(listOf(90.0)),
                secondary = mapOf("gc.alloc.rate.norm" to (listOf(listOf(0.0001)) to "B/op")),
            ),
            JmhJson.result(
                "FacadeFreshHitBenchmark.join2Threads",
                contender("StackQuery"),
                listOf(listOf(120.0)),
                threads = 2,
            ),
            JmhJson.result(
                "FacadeFreshHitBenchmark.join2Threads",
                contender("Caffeine"),
                listOf(listOf(100.0)),
                threads = 2,
            ),
        )
        val markdown = MarkdownReport(
            SECTIONS,
            ResultIndex(JmhResult.parseAll(single)),
            machine,
            run,
            "benchmarks.svg",
        ).render()
        markdown shouldContain
            "| 2 | [Java facade fresh hit](#2-java-facade-fresh-hit) | 1 thread | ns/op | 95.0 | 90.0 | 1.06× (≈) | — | — |"
        markdown shouldContain
            "| 2 | [Java facade fresh hit](#2-java-facade-fresh-hit) | 2 threads | ns/op | 120 | 100 | **1.20×** | — | — |"
        markdown shouldContain
            "| 2 | [Java facade fresh hit](#2-java-facade-fresh-hit) | allocated per read, 1 thread | B/op | 2.00 | ≈ 0 | **—** | — | — |"
        markdown shouldContain
            "- **2. Java facade fresh hit, allocated per read, 1 thread** (StackQuery): 2.00 B/op against ≈ 0 for Caffeine."
        markdown shouldContain
            "- **allocated per read, 1 thread** (B/op): StackQuery 2.00, Caffeine ≈ 0. Above Caffeine's (StackQuery loses)."
        markdown shouldContain
            "| `FacadeFreshHitBenchmark` | average time | 1 | 3 × 1 s | 1 × 1 s | 1, 2 | `-Xms1g -Xmx1g` |"
    }

    test("an experiment line is compared but never listed as a loss; a line with its own explanation shows that one") {
        val extra = JmhJson.array(
            JmhJson.result(
                "FreshHitBenchmark.read1Thread",
                contender("StackQuery-coarseClock"),
                listOf(listOf(20.0, 20.0)),
                error = 1.0,
            ),
            JmhJson.result(
                "FreshHitBenchmark.read1Thread",
                contender("Caffeine"),
                listOf(listOf(10.0, 10.0)),
                error = 1.0,
            ),
            JmhJson.result(
                "StampedeBenchmark.stampede",
                contender("StackQuery-staleTime0"),
                listOf(listOf(40.0, 40.0)),
                unit = "ms/op",
                error = 5.0,
                mode = "ss",
                secondary = mapOf("loaderCalls" to (listOf(listOf(2.0, 2.0)) to "#")),
            ),
            JmhJson.result(
                "StampedeBenchmark.stampede",
                contender("Caffeine"),
                listOf(listOf(40.0, 40.0)),
                unit = "ms/op",
                error = 5.0,
                mode = "ss",
                secondary = mapOf("loaderCalls" to (listOf(listOf(1.0, 1.0)) to "#")),
            ),
        )
        val markdown = MarkdownReport(
            SECTIONS,
            ResultIndex(JmhResult.parseAll(extra)),
            machine,
            run,
            "benchmarks.svg",
        ).render()
        markdown shouldContain
            "| 1 | [Fresh-hit read](#1-fresh-hit-read) | 1 thread, experiment: coarse clock | ns/op | 20.0 ± 1.0 | 10.0 ± 1.0 | **2.00×** |"
        markdown shouldNotContain "- **1. Fresh-hit read, 1 thread, experiment"
        markdown.substringAfter("## 1. Fresh-hit read").substringBefore("## 2.") shouldNotContain
            "**Where StackQuery loses"
        markdown shouldContain
            "- **3. Cold-key stampede, loader calls per stampede, default staleTime 0** (StackQuery, staleTime 0): 2.00× Caffeine."
        val stampede = markdown.substringAfter("## 3. Cold-key stampede").substringBefore("## 4.")
        stampede shouldContain "**Where StackQuery loses, and what would fix it.** With the default `staleTime` of 0"
        stampede shouldNotContain "Most of the wall time" // the wall-time lines are on par: not their explanation
    }

    fun equalRefetch(contender: String, micros: Double, error: Double, bytes: Double) = JmhJson.result(
        "EqualRefetchFanOutBenchmark.refetch",
        contender(contender),
        listOf(listOf(micros, micros), listOf(micros, micros)),
        unit = "us/op",
        error = error,
        secondary = mapOf("gc.alloc.rate.norm" to (listOf(listOf(bytes, bytes), listOf(bytes, bytes)) to "B/op")),
    )

    fun renderEqualRefetch(vararg results: String) = MarkdownReport(
        SECTIONS,
        ResultIndex(JmhResult.parseAll(JmhJson.array(*results))),
        machine,
        run,
        "benchmarks.svg",
    ).render()

    test(
        "benchmark 8: a table of every contender with its allocation and its ratio to the floor, and computed findings",
    ) {
        val markdown = renderEqualRefetch(
            equalRefetch("StackQuery", 1000.0, 100.0, 20_000.0),
            equalRefetch("StackQuery-allFields", 4000.0, 400.0, 3_000_000.0),
            equalRefetch("StackQuery-noObservers", 50.0, 10.0, 2000.0),
            equalRefetch("StateFlow", 0.25, 0.01, 904.0),
        )
        markdown shouldContain
            "| 8 | [Equal-refetch fan-out](#8-equal-refetch-fan-out) | equal refetch, DATA-only observers | µs/op | 1,000 ± 100 | — | — | StateFlow: 0.250 ± 0.010 | **4,000×** |"
        markdown shouldContain
            "| 8 | [Equal-refetch fan-out](#8-equal-refetch-fan-out) | allocated per refetch, DATA-only observers | B/op | 20,000 | — | — | StateFlow: 904 | **22.1×** |"
        // the DATA-only lines are losses; the all-fields line (context) and the experiment are not
        markdown shouldContain
            "- **8. Equal-refetch fan-out, equal refetch, DATA-only observers** (StackQuery, DATA only): 4,000× StateFlow (the floor). " +
            "[Why, and the fix](#8-equal-refetch-fan-out)."
        markdown shouldContain
            "- **8. Equal-refetch fan-out, allocated per refetch, DATA-only observers** (StackQuery, DATA only): 22.1× StateFlow (the floor)."
        markdown shouldNotContain "- **8. Equal-refetch fan-out, equal refetch, all-fields"
        markdown shouldNotContain "- **8. Equal-refetch fan-out, experiment"
        val section = markdown.substringAfter("## 8. Equal-refetch fan-out").substringBefore("## Machine")
        section shouldContain
            """
            | Contender | µs/op | Allocated, B/op | StackQuery / StateFlow |
            |---|---:|---:|---:|
            | StackQuery, DATA only | 1,000 ± 100 | 20,000 | **4,000×** |
            | StackQuery, all fields (context) | 4,000 ± 400 | 3,000,000 | **16,000×** |
            | StackQuery, no observers (experiment) | 50.0 ± 10.0 | 2,000 | **200×** |
            | StateFlow (floor) | 0.250 ± 0.010 | 904 | — |
            """.trimIndent()
        section shouldNotContain "- **equal refetch, DATA-only observers** (µs/op)" // the table replaces the lines
        section shouldContain "- **Deliveries to the DATA-only observers: 0.** The harness checks after every iteration"
        section shouldContain "woke none of the 10,000."
        section shouldContain
            "- **Not waking them is not free.** 1,000 µs per refetch is 0.25× the all-fields figure (0.20× to 0.31× across the two " +
            "confidence intervals): tracking DATA only saves about 75% of the all-fields time, not all of it, and is 4,000× " +
            "the floor (3,462× to 4,583× across the intervals). Less the refetch itself (the no-observers line), that is about " +
            "95.0 ns per observer per refetch, 47.5 ns per observer for each of the two state changes."
        section shouldContain
            "- **Allocation** (`-prof gc`): the DATA-only refetch allocates 20,000 B, the same refetch without observers 2,000 B; " +
            "the difference is about 0.900 B per observer per state change: less than the smallest object (16 B), so the " +
            "observers' visit allocates next to nothing."
        section shouldContain
            "- The floor compares once, at the source: its 0.250 µs is building the new list (the 904 B it allocates, the same " +
            "construction as the query function's) and one `equals`, however many collectors there are. The no-observers line " +
            "(50.0 µs ± 20% in this run) is the refetch without any fan-out"
        section shouldContain "**Where StackQuery loses, and what would fix it.** The cost of an equal refetch grows"
        section shouldContain "this grouping is not implemented"
        section shouldNotContain "**Where StackQuery wins.**"
    }

    test(
        "benchmark 8's findings follow the figures: no saving claimed within the error, allocation per observer named",
    ) {
        val markdown = renderEqualRefetch(
            equalRefetch("StackQuery", 3000.0, 600.0, 1_500_000.0),
            equalRefetch("StackQuery-allFields", 3200.0, 600.0, 3_000_000.0),
            equalRefetch("StackQuery-noObservers", 60.0, 30.0, 2600.0),
        )
        val section = markdown.substringAfter("## 8. Equal-refetch fan-out").substringBefore("## Machine")
        section shouldContain
            "- 3,000 µs per refetch is 0.94× the all-fields figure " +
            "(0.63× to 1.38× across the two confidence intervals): tracking DATA only saves nothing measurable over tracking " +
            "every field. Less the refetch itself"
        section shouldContain "about 74.9 B per observer per state change, made and dropped by the observers' visit."
        section shouldContain "| StateFlow (floor) | — | — | — |"
        section shouldContain "| StackQuery, DATA only | 3,000 ± 600 | 1,500,000 | — |"
        section shouldNotContain "The floor compares once" // no floor in the results
        section shouldNotContain "Not waking them"
    }

    test("benchmark 8 within the floor's error is not called costly") {
        val markdown = renderEqualRefetch(
            equalRefetch("StackQuery", 0.3, 0.1, 904.0),
            equalRefetch("StackQuery-allFields", 4000.0, 400.0, 3_000_000.0),
            equalRefetch("StateFlow", 0.25, 0.01, 904.0),
        )
        markdown shouldContain
            "- **Not waking them costs about what the floor costs.** 0.300 µs per refetch is 0.0001× the all-fields figure"
        markdown shouldContain "tracking DATA only saves about 100% of the all-fields time, and is 1.20× the floor"
        markdown shouldNotContain "- **8. Equal-refetch fan-out, equal refetch, DATA-only observers**"
    }

    test("a ratio's range runs between the ends of both intervals; a line is an experiment or context, not both") {
        ratioRange(Figure(1000.0, 100.0, 10), Figure(4000.0, 400.0, 10)) shouldBe "0.20× to 0.31×"
        ratioRange(Figure(1000.0, 100.0, 10), Figure(40.0, 50.0, 10)) shouldBe "at least 10.0×"
        ratioRange(Figure(1000.0, null, 1), Figure(4000.0, 400.0, 10)) shouldBe null
        shouldThrow<IllegalArgumentException> {
            Row("x", "A.b", "ns/op", Contender("StackQuery", "StackQuery"), experiment = true, context = true)
        }.message shouldBe "row x: an experiment or context, not both"
    }

    test("memory from /proc/meminfo reads in GiB") {
        MachineInfo.formatKibibytes("24684092 kB") shouldBe "23.5 GiB"
    }
})
