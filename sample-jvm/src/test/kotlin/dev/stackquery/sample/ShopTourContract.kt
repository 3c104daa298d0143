// Expected output is quoted whole: a rendered table row or a printed line is one literal, unwrapped.
@file:Suppress("ktlint:standard:max-line-length")

package dev.stackquery.sample

import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import java.io.ByteArrayOutputStream
import java.io.PrintStream

/**
 * What the two tours (Kotlin and Java) must print: they run twice in-process, against their own
 * local HTTP server, with one temporary data folder, and each test checks one fact of the
 * reports. Both tours print the same lines, so one suite serves both.
 */
abstract class ShopTourContract(
    /** The language the header names. */
    language: String,
    /** Runs the tour with these arguments, printing to the stream. */
    runTour: (Array<String>, PrintStream) -> Unit,
) : FunSpec({
    val dataDir = tempdir()
    fun tour(): List<String> {
        val bytes = ByteArrayOutputStream()
        PrintStream(bytes, true, Charsets.UTF_8).use { runTour(arrayOf("--data-dir", dataDir.path), it) }
        return bytes.toString(Charsets.UTF_8).lines()
    }
    val first by lazy { tour() }
    val second by lazy { first.let { tour() } }

    /** The groups of [regex] in the one line of [lines] it matches. */
    fun List<String>.fact(regex: String): List<String> {
        val pattern = Regex(regex)
        val matches = mapNotNull { pattern.find(it) }
        check(matches.size == 1) {
            "expected one line matching $regex, found ${matches.size} in:\n${joinToString("\n")}"
        }
        return matches.single().groupValues.drop(1)
    }

    test("the header names the language, the data folder and the run") {
        first.first() shouldStartWith "StackQuery tour ($language): a shop API at http://127.0.0.1:"
        first.fact("""L2 cache: (.+) \(SQLite, opened in .+\), run (\d+) with this folder$""") shouldBe
            listOf(dataDir.toPath().resolve("cache.db").toString(), "1")
        second.fact("""\), run (\d+) with this folder$""") shouldBe listOf("2")
    }

    test("a cold fetch makes one HTTP call and fresh hits make none") {
        for (report in listOf(first, second)) {
            val cold = """cold fetch of \["user",42]: User.id=42, name=Ada Lovelace[)\]] in .+; HTTP calls to GET /users/42: (\d+)$"""
            report.fact(cold) shouldBe listOf("1")
            report.fact("""fresh hits: 100,000 in .+ each on average; HTTP calls to GET /users/42: (\d+)$""") shouldBe
                listOf("1")
        }
    }

    test("100 concurrent callers of a cold key share one HTTP call and one result") {
        for (report in listOf(first, second)) {
            val callers = """100 callers of \["user",7] got (\d+) distinct result, .*Alan Turing.*; HTTP calls to GET /users/7: (\d+)$"""
            report.fact(callers) shouldBe listOf("1", "1")
        }
    }

    test("a stale read returns the old value at once and the background refetch brings the new one") {
        for (report in listOf(first, second)) {
            report.fact("""first read: {2}(\d+) in stock \(cold""") shouldBe listOf("12")
            report.fact("""second read: (\d+) in stock, the stale value, in""") shouldBe listOf("12")
            report.fact(
                """after the background refetch: (\d+) in stock; HTTP calls to GET /stock/KB-1: (\d+)$""",
            ) shouldBe
                listOf("11", "2")
        }
    }

    test("the polling observer sees every transition, in order, and polling stops when it unsubscribes") {
        for (report in listOf(first, second)) {
            val transition = Regex("""^ +[+]\d+ ms {2}(\S+) +(\S+) +(.+)$""")
            report.mapNotNull { transition.find(it)?.groupValues?.drop(1)?.joinToString(" ") } shouldBe listOf(
                "PENDING FETCHING (no data)",
                "SUCCESS IDLE PLACED",
                "SUCCESS FETCHING PLACED",
                "SUCCESS IDLE PACKED",
                "SUCCESS FETCHING PACKED",
                "SUCCESS IDLE SHIPPED",
                "SUCCESS FETCHING SHIPPED",
                "SUCCESS IDLE DELIVERED",
            )
            report.fact(
                """DELIVERED after (\d+) HTTP calls; unsubscribed, then (\d+) calls in the next 600 ms$""",
            ) shouldBe
                listOf("4", "0")
        }
    }

    test("prefix invalidation refetches the observed queries only and marks the others stale") {
        for (report in listOf(first, second)) {
            report.fact("""5 products cached \((\d+) HTTP calls\); observed: (.+)$""") shouldBe
                listOf("5", """["product",1], ["product",2]""")
            val invalidation =
                """invalidateQueries\(\["product"]\) in .+: (\d+) HTTP calls \(the observed ones refetched\); """ +
                    """(\d+) inactive marked stale, refetched when next read: (.+)$"""
            report.fact(invalidation) shouldBe listOf("2", "3", """["product",3], ["product",4], ["product",5]""")
        }
    }

    test("a rejected mutation shows the optimistic value, then rolls it back") {
        for (report in listOf(first, second)) {
            report.fact("""PUT /users/42 answered (\d+) \((.+)\)$""") shouldBe
                listOf("409", "the name Grace Hopper is already taken")
            report.fact("""the screen showed: (.+)$""") shouldBe
                listOf("Ada Lovelace -> Grace Hopper (optimistic) -> Ada Lovelace (rolled back)")
            report.fact(
                """mutation status: (\w+); cache now: (.+); HTTP calls: PUT (\d+), GET /users/42 (\d+) """,
            ) shouldBe
                listOf("ERROR", "Ada Lovelace", "1", "2")
        }
    }

    test("the first run finds the SQLite cache empty and fetches the countries over HTTP") {
        first.fact("""^ {3}(FR .+)$""") shouldBe listOf("FR France, DE Germany, JP Japan, BR Brazil, CA Canada")
        first.fact(
            """run (\d+): the SQLite cache was empty \((\d+) misses\), so (\d+) HTTP calls fetched them""",
        ) shouldBe
            listOf("1", "5", "5")
    }

    test("the second run serves the countries from SQLite without HTTP calls") {
        second.fact("""^ {3}(FR .+)$""") shouldBe listOf("FR France, DE Germany, JP Japan, BR Brazil, CA Canada")
        second.fact(
            """run (\d+): (\d+) queries served from SQLite, (\d+) HTTP calls, in .+ \(fetched by an earlier run""",
        ) shouldBe
            listOf("2", "5", "0")
    }

    test("offline, a new screen's query and a save are paused without HTTP calls; back online, each runs once") {
        for (report in listOf(first, second)) {
            report.fact("""^ {3}offline: (.+)$""") shouldBe listOf(
                "[\"stock\",\"MS-1\"] is PENDING/PAUSED (isLoading=false), the rename is paused=true; " +
                    "HTTP calls: GET /stock/MS-1 0, PUT /users/7 0",
            )
            report.fact("""^ {3}back online: (.+)$""") shouldBe listOf(
                "12 mice in stock, user 7 is now Alan M. Turing; HTTP calls: GET /stock/MS-1 1, PUT /users/7 1",
            )
            report.fact("""^ {3}the stock screen showed: (.+)$""") shouldBe
                listOf("PENDING/PAUSED -> PENDING/FETCHING -> SUCCESS/IDLE")
        }
    }

    test("an infinite query loads the catalog page by page, then refetches every page in order") {
        for (report in listOf(first, second)) {
            report.fact("""^ {3}first page: (.+)$""") shouldBe
                listOf("Keyboard, Mouse; HTTP calls to GET /catalog/*: 1")
            report.filter { it.startsWith("   load more: ") } shouldBe listOf(
                "   load more: Keyboard, Mouse, Monitor, Webcam (hasNextPage=true)",
                "   load more: Keyboard, Mouse, Monitor, Webcam, Headset (hasNextPage=false)",
            )
            report.fact("""^ {3}refetch of every page: (.+)$""") shouldBe
                listOf("pages 1, 2, 3 in order; HTTP calls to GET /catalog/*: 6")
        }
    }

    test("the runs count every HTTP call: the second makes five fewer") {
        first.fact("""^Done in .+: (\d+) HTTP calls in all; SQLite writes flushed\.$""") shouldBe listOf("30")
        second.fact("""^Done in .+: (\d+) HTTP calls in all; SQLite writes flushed\.$""") shouldBe listOf("25")
    }
})
