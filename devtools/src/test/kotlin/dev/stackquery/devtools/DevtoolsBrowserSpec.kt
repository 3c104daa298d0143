package dev.stackquery.devtools

import dev.stackquery.MutationOptions
import dev.stackquery.QueryClient
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.storage.QueryCodec
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CompletableDeferred
import kotlinx.serialization.builtins.ListSerializer
import org.openqa.selenium.By
import org.openqa.selenium.JavascriptExecutor
import org.openqa.selenium.OutputType
import org.openqa.selenium.StaleElementReferenceException
import org.openqa.selenium.WebDriver
import org.openqa.selenium.chrome.ChromeDriver
import org.openqa.selenium.support.ui.WebDriverWait
import java.io.File
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.minutes

/** The text of `queryKey("todos", 1)`, and its row on the page by CSS. */
private const val TODOS = "[\"todos\",1]"
private const val TODOS_ROW = "#queries tbody tr[data-key='$TODOS']"

/**
 * The text of the cell [cell] (a class: status, fetch, …) of [key]'s row, or null while there is
 * no such row. Read in one script, so a re-render in between cannot make it stale.
 */
private fun WebDriver.cell(key: String, cell: String): String? = (this as JavascriptExecutor).executeScript(
    "const row = [...document.querySelectorAll('#queries tbody tr')].find((r) => r.dataset.key === arguments[0]);" +
        "const td = row && row.querySelector('td.' + arguments[1]); return td ? td.textContent : null;",
    key,
    cell,
) as String?

/** The keys of the rows on the page, read in one script. */
private fun WebDriver.keys(): List<String> = (
    (this as JavascriptExecutor).executeScript(
        "return [...document.querySelectorAll('#queries tbody tr')].map((r) => r.dataset.key);",
    ) as List<*>
    ).map { it as String }

private fun ChromeDriver.waitFor(what: String, condition: (WebDriver) -> Boolean) {
    WebDriverWait(this, Duration.ofSeconds(15)).withMessage(what)
        .ignoring(StaleElementReferenceException::class.java)
        .until { condition(it) }
}

/** Clicks what [by] finds, again if the page re-rendered it meanwhile. */
private fun ChromeDriver.click(by: By) = waitFor("click $by") {
    it.findElement(by).click()
    true
}

/**
 * The inspector page in a real headless Chromium: a query appears after a fetch without a
 * reload; "invalidate" changes its status and calls its query function again; the prefix filter
 * narrows the list; and a screenshot is saved to `target/screenshots/`.
 */
class DevtoolsBrowserSpec : FunSpec({
    test("the page shows queries live, invalidates one from its button, filters by prefix, and is screenshot")
        .config(enabledOrReasonIf = { Browser.enabled() }) {
            withClient { client ->
                withDevtools(client) { devtools ->
                    val driver = Browser.start()
                    try {
                        driver.showsTheCacheLive(client, devtools)
                    } finally {
                        driver.quit()
                    }
                }
            }
        }
})

/** The scenario of [DevtoolsBrowserSpec], in [this] browser, on [client] inspected by [devtools]. */
private suspend fun ChromeDriver.showsTheCacheLive(client: QueryClient, devtools: StackQueryDevtools) {
    val driver = this
    driver.get(devtools.url)
    driver.waitFor("the event stream is connected") { it.findElement(By.id("connection")).text == "live" }
    driver.executeScript("window.stillTheSamePage = true")
    driver.keys() shouldBe emptyList()

    // A query appears after a fetch, live.
    val calls = AtomicInteger()
    val gate = CompletableDeferred<Unit>()
    val todos = queryKey("todos", 1)
    val todosOptions = QueryOptions(
        todos,
        queryFn = {
            if (calls.incrementAndGet() > 1) gate.await()
            listOf("buy milk", "ship devtools #${calls.get()}")
        },
        staleTime = 5.minutes,
        codec = QueryCodec.kotlinx(ListSerializer(kotlinx.serialization.serializer<String>())),
    )
    val subscription = client.watch(todosOptions).subscribe { }
    driver.waitFor("the fetched query appears") { it.cell(TODOS, "status") == "SUCCESS" }
    driver.cell(TODOS, "fetch") shouldBe "IDLE"
    driver.cell(TODOS, "stale") shouldBe "fresh"
    driver.cell(TODOS, "observers") shouldBe "1"
    calls.get() shouldBe 1

    // Invalidate from the row's button: refetching (held by the gate), then fresh again.
    driver.click(By.cssSelector("$TODOS_ROW button[data-action='invalidate']"))
    driver.waitFor("the invalidated query refetches") { it.cell(TODOS, "fetch") == "FETCHING" }
    driver.cell(TODOS, "status") shouldBe "SUCCESS (invalidated)"
    driver.waitFor("the query function is called again") { calls.get() == 2 }
    gate.complete(Unit)
    driver.waitFor("the refetch settles") {
        it.cell(TODOS, "fetch") == "IDLE" && it.cell(TODOS, "status") == "SUCCESS"
    }
    client.getQueryData<List<String>>(todos) shouldBe listOf("buy milk", "ship devtools #2")

    // More queries, a mutation, then the prefix filter.
    client.setQueryData(queryKey("user", 1), "ada")
    client.setQueryData(queryKey("user", 2), "grace")
    client.fetchQuery(QueryOptions(queryKey("users", "page", 1), queryFn = { listOf(1, 2) }))
    client.mutation(MutationOptions<String, String, Unit>(mutationFn = { "saved $it" })).mutate("draft")
    driver.waitFor("every query is listed") { it.keys().size == 4 }
    driver.findElement(By.id("prefix")).sendKeys("user")
    driver.waitFor("only the queries under [\"user\"] are listed") {
        it.keys() == listOf("[\"user\",1]", "[\"user\",2]")
    }
    driver.findElement(By.id("prefix")).clear()
    driver.findElement(By.id("prefix")).sendKeys("[\"users\"]")
    driver.waitFor("only the queries under [\"users\"] are listed") {
        it.keys() == listOf("[\"users\",\"page\",1]")
    }
    driver.findElement(By.id("prefix")).clear()
    driver.executeScript("document.getElementById('prefix').dispatchEvent(new Event('input'))")
    driver.waitFor("the filter is cleared") { it.keys().size == 4 }

    // The detail of the query, with its data as its codec's JSON and its history.
    driver.click(By.cssSelector("$TODOS_ROW td.key"))
    driver.waitFor("the detail shows the data") {
        it.findElement(By.id("detail-data")).text.contains("ship devtools #2")
    }
    driver.findElements(By.cssSelector("#history tbody tr")).isNotEmpty() shouldBe true
    driver.findElement(By.cssSelector("#mutations tbody")).text shouldContain "draft"
    driver.executeScript("return window.stillTheSamePage") shouldBe true

    val screenshots = File("target/screenshots").apply { mkdirs() }
    val png = driver.getScreenshotAs(OutputType.BYTES)
    File(screenshots, "devtools.png").writeBytes(png)
    (png.size > 10_000) shouldBe true
    subscription.unsubscribe()
}
