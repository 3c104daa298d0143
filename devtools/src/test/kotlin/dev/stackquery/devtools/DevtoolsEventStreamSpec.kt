package dev.stackquery.devtools

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import java.net.URI
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

/** The lines of `GET /api/events`, read on a thread of their own, as they arrive. */
private class EventLines(devtools: StackQueryDevtools) : AutoCloseable {
    val lines = LinkedBlockingQueue<String>()
    val status: Int
    private val response: HttpResponse<java.util.stream.Stream<String>>
    private val reader: Thread

    init {
        val request = HttpRequest.newBuilder(URI.create(devtools.base + "/api/events?token=" + devtools.token)).build()
        response = http.send(request, HttpResponse.BodyHandlers.ofLines())
        status = response.statusCode()
        val body = response.body()
        reader = thread(isDaemon = true, name = "event-lines") {
            runCatching { body.use { it.forEach(lines::add) } }
            lines.add(END)
        }
    }

    val contentType: String get() = response.headers().firstValue("Content-Type").orElse("")

    /** The next line, waiting at most 10 s; fails when none arrives. */
    fun next(): String = checkNotNull(lines.poll(10, TimeUnit.SECONDS)) { "no event line within 10 s" }

    /** Reads lines until one equals [line]; fails after 10 s or at the end of the stream. */
    fun awaitLine(line: String) {
        val deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos()
        while (true) {
            val left = deadline - System.nanoTime()
            val next =
                lines.poll(maxOf(left, 0), TimeUnit.NANOSECONDS) ?: throw AssertionError("no \"$line\" within 10 s")
            if (next == line) return
            if (next == END) throw AssertionError("the stream ended before \"$line\"")
        }
    }

    override fun close() {
        response.body().close()
    }

    companion object {
        const val END = "\u0000end"
    }
}

class DevtoolsEventStreamSpec : FunSpec({
    test("the event stream sends a changed notification after a fetch") {
        withClient { client ->
            withDevtools(client) { devtools ->
                EventLines(devtools).use { events ->
                    events.status shouldBe 200
                    events.contentType shouldStartWith "text/event-stream"
                    events.next() shouldBe ": connected"
                    client.fetchQuery(QueryOptions(queryKey("todos"), queryFn = { listOf("a") }))
                    events.awaitLine("data: changed")
                }
            }
        }
    }

    test("changes within the notify interval are coalesced into few notifications") {
        withClient { client ->
            val options = StackQueryDevtoolsOptions(notifyInterval = Duration.ofSeconds(1))
            withDevtools(client, options) { devtools ->
                EventLines(devtools).use { events ->
                    events.next() shouldBe ": connected"
                    repeat(200) { client.setQueryData(queryKey("n", it), it) }
                    events.awaitLine("data: changed")
                    val started = System.nanoTime()
                    // At most one more notification follows in the next interval: the changes after the first one.
                    var more = 0
                    while (System.nanoTime() - started < Duration.ofMillis(1500).toNanos()) {
                        val line = events.lines.poll(50, TimeUnit.MILLISECONDS) ?: continue
                        if (line == "data: changed") more++
                    }
                    (more <= 1) shouldBe true
                }
            }
        }
    }

    test("closing the devtools ends the open event streams") {
        withClient { client ->
            val devtools = StackQueryDevtools.start(client)
            EventLines(devtools).use { events ->
                events.next() shouldBe ": connected"
                devtools.close()
                events.awaitLine(EventLines.END)
            }
        }
    }
})
