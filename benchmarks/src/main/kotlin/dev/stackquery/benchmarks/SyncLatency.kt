@file:JvmName("SyncLatency")

package dev.stackquery.benchmarks

import dev.stackquery.storage.exposed.PostgresSyncTransport
import dev.stackquery.storage.redis.RedisSyncTransport
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import kotlinx.coroutines.runBlocking
import java.io.File
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A measured run (not JMH: one message in flight at a time, so each figure is one delivery's
 * latency, not a throughput): the time from `publish` to the other transport's
 * `SyncListener.onMessage`, for [MESSAGES] messages per transport after [WARMUP] unmeasured
 * ones, the PostgreSQL and Redis transports interleaved message by message so both see the same
 * machine load. Prints the percentiles and, with `--markdown FILE`, writes them into FILE
 * between the `sync-latency` markers (the report generator keeps that block).
 *
 * ```
 * mvn -B -q -pl benchmarks -am package -DskipTests && \
 *   java -cp benchmarks/target/benchmarks.jar dev.stackquery.benchmarks.SyncLatency \
 *     --postgres jdbc:postgresql://127.0.0.1:5432/test?user=postgres --redis redis://127.0.0.1:6379/0 \
 *     --markdown docs/benchmarks.md
 * ```
 */
fun main(args: Array<String>) {
    val options = args.toList().chunked(2).associate { (name, value) -> name.removePrefix("--") to value }
    val channel = "sq_latency_${System.nanoTime()}"
    val contenders = listOf(
        Contender("PostgresSyncTransport (LISTEN/NOTIFY)") {
            PostgresSyncTransport.create(
                options["postgres"] ?: "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
                channel,
            )
        },
        Contender("RedisSyncTransport (pub/sub)") {
            RedisSyncTransport.create(options["redis"] ?: "redis://127.0.0.1:6379/0", channel)
        },
    )
    runBlocking {
        contenders.forEach { it.start() }
        repeat(WARMUP + MESSAGES) { i -> for (contender in contenders) contender.measure(i, record = i >= WARMUP) }
    }
    contenders.forEach { it.close() }
    val lines = contenders.map { it.summary() }
    lines.forEach(::println)
    options["markdown"]?.let { writeSection(File(it), lines) }
}

private const val WARMUP = 200
private const val MESSAGES = 1_000

private class Contender(val name: String, open: () -> SyncTransport) {
    private val publisher = open()
    private val receiver = open()
    private val arrivals = LinkedBlockingQueue<Pair<String, Long>>()
    private val latencies = ArrayList<Long>()

    suspend fun start() {
        receiver.start(object : SyncListener {
            override fun onMessage(message: String) {
                arrivals.add(message to System.nanoTime())
            }

            override fun onReconnected() = Unit
        })
        publisher.start(object : SyncListener {
            override fun onMessage(message: String) = Unit

            override fun onReconnected() = Unit
        })
    }

    suspend fun measure(i: Int, record: Boolean) {
        val message = "{\"v\":1,\"origin\":\"bench\",\"op\":\"invalidate\",\"key\":[\"item\",$i],\"exact\":true}"
        val sent = System.nanoTime()
        publisher.publish(message)
        val (received, at) = checkNotNull(arrivals.poll(10, TimeUnit.SECONDS)) { "$name: message $i not delivered" }
        check(received == message) { "$name: expected message $i, got $received" }
        if (record) latencies += at - sent
    }

    fun close() {
        publisher.close()
        receiver.close()
    }

    fun summary(): String {
        val sorted = latencies.sorted()
        fun percentile(p: Double) = sorted[((sorted.size - 1) * p).toInt()] / 1_000.0
        return "| $name | ${sorted.size} | %.0f | %.0f | %.0f | %.0f |".format(
            percentile(0.50),
            percentile(0.90),
            percentile(0.99),
            sorted.last() / 1_000.0,
        )
    }
}

private const val START = "<!-- sync-latency:start -->"
private const val END = "<!-- sync-latency:end -->"

private fun writeSection(file: File, lines: List<String>) {
    val machine = "${Runtime.getRuntime().availableProcessors()} cores, " +
        "${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, ${System.getProperty("os.name")}"
    val section = buildString {
        appendLine(START)
        appendLine("## Sync transport latency (measured run)")
        appendLine()
        appendLine(
            "Publish-to-delivery latency of one message between two transports on loopback, " +
                "one message in flight, $MESSAGES messages per transport after $WARMUP unmeasured, " +
                "the two transports interleaved in one run (`SyncLatency`, not JMH; run on " +
                "${java.time.LocalDate.now()}, $machine; PostgreSQL and Redis on the same machine). " +
                "Microseconds, lower is better. A PostgreSQL publish outside a transaction is an " +
                "auto-commit `SELECT pg_notify(…)`: a round trip and a commit before the delivery.",
        )
        appendLine()
        appendLine("| Transport | Messages | p50 µs | p90 µs | p99 µs | max µs |")
        appendLine("|---|---:|---:|---:|---:|---:|")
        lines.forEach(::appendLine)
        appendLine()
        appendLine(
            "Run it: `java -cp benchmarks/target/benchmarks.jar dev.stackquery.benchmarks.SyncLatency --markdown docs/benchmarks.md`.",
        )
        append(END)
    }
    val text = if (file.exists()) file.readText() else ""
    val updated = if (START in text && END in text) {
        text.substringBefore(START) + section + text.substringAfter(END)
    } else {
        text.trimEnd() + "\n\n" + section + "\n"
    }
    file.writeText(updated)
}
