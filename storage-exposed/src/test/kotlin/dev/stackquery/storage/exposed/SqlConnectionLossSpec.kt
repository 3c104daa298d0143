package dev.stackquery.storage.exposed

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.concurrent.thread
import kotlin.random.Random
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.seconds

/** One `fetchQuery`: when it started (ms after the traffic began), how long it took, whether it failed. */
private class Call(val startedMillis: Long, val tookNanos: Long, val failed: Boolean)

/**
 * Issue 23, faults on the real servers: a client on `ExposedStorage` reaches PostgreSQL or MariaDB
 * through a [TcpProxy]; two threads fetch over 1,000 keys (100 held in memory, so most fetches
 * read the L2 tier) for 20 s, and the proxy cuts the network for 5 s in the middle. No fetch may
 * fail, none may wait much longer than `storageTimeout`, the breaker opens and closes again, and
 * L2 hits resume after the restore. Real time, bounded: about 20 s per server.
 */
class SqlConnectionLossSpec : FunSpec({
    for (server in listOf(TestDatabase.Postgres, TestDatabase.MariaDb)) {
        test("$server: a 5 s network cut under two threads of fetchQuery traffic fails no call").config(
            enabledOrReasonIf = { server.enabled() },
        ) {
            server.service.check()
            val namespace = server.namespace()
            try {
                TcpProxy(server.service.host, server.service.port).use { proxy ->
                    cutUnderTraffic(server, namespace, proxy)
                }
            } finally {
                namespace.dispose()
            }
            // No thread of the pool, the proxy or the traffic is left once everything is closed (the
            // client and the storage run on the shared Dispatchers.Default and Dispatchers.IO).
            eventually(10.seconds) { ownThreads(server).shouldBeEmpty() }
        }
    }
})

private fun cutUnderTraffic(server: TestDatabase.Server, namespace: TestDatabase.Namespace, proxy: TcpProxy) {
    val pool = HikariDataSource(
        HikariConfig().also {
            it.jdbcUrl = server.urlThrough(proxy.port)
            it.username = server.user
            it.maximumPoolSize = 4
            it.minimumIdle = 0
            it.connectionTimeout = 1_000
            it.validationTimeout = 500
            it.poolName = "connection-loss-$server"
        },
    )
    val storage = ExposedStorage.create(pool, ExposedStorageOptions(tableName = namespace.tableName))
    val config = QueryClientConfig(
        staleTime = 1.hours,
        cacheMaxSize = 100,
        storage = storage,
        storageTimeout = 1.seconds,
        storageCoolDown = 2.seconds,
        coroutineContext = Dispatchers.Default,
    )
    val client = QueryClient(config)
    val keys = List(1_000) { queryKey("loss", it) }
    fun options(i: Int) = queryOptions(keys[i], queryFn = { "value $i" })
    try {
        runBlocking {
            for (i in keys.indices) client.fetchQuery(options(i))
            client.flush()
        }
        val calls = ConcurrentLinkedQueue<Call>()
        val begin = System.nanoTime()
        fun elapsedMillis() = (System.nanoTime() - begin) / 1_000_000
        val stop = AtomicBoolean()
        val workers = List(2) { w ->
            thread(name = "loss-traffic-$w") {
                val random = Random(w)
                while (!stop.get()) {
                    val i = random.nextInt(keys.size)
                    val started = System.nanoTime()
                    val failed = runCatching { runBlocking { client.fetchQuery(options(i)) } }.isFailure
                    calls += Call((started - begin) / 1_000_000, System.nanoTime() - started, failed)
                }
            }
        }
        var cut = false
        var restored = false
        var breakerOpened = false
        var hitsAtRestore = 0L
        while (elapsedMillis() < 20_000) {
            val now = elapsedMillis()
            if (now >= 5_000 && !cut) {
                proxy.cut()
                cut = true
            }
            if (cut && !restored) breakerOpened = breakerOpened || client.storageStats()!!.circuitOpen
            if (now >= 10_000 && !restored) {
                proxy.restore()
                restored = true
                hitsAtRestore = client.storageStats()!!.hits
            }
            Thread.sleep(50) // the scenario's driver samples the breaker: polling, not a timing assertion
        }
        stop.set(true)
        workers.forEach { it.join(10_000) }
        val stats = client.storageStats()!!
        val duringCut = calls.filter { it.startedMillis in 5_000..9_999 }.map { it.tookNanos }.sorted()
        val p99 = duringCut[(duringCut.size * 99) / 100] / 1_000_000
        val max = duringCut.last() / 1_000_000
        println(
            "SqlConnectionLossSpec $server: ${calls.size} fetchQuery calls, ${calls.count { it.failed }} failed; " +
                "during the cut ${duringCut.size} calls, p99 $p99 ms, max $max ms; breaker opened: $breakerOpened; " +
                "L2 hits $hitsAtRestore at the restore, ${stats.hits} at the end; $stats",
        )
        calls.count { it.failed } shouldBe 0
        max shouldBeLessThan 3_000L // storageTimeout (1 s) plus the scheduling of two busy threads
        breakerOpened shouldBe true
        stats.circuitOpen shouldBe false
        stats.hits shouldBeGreaterThan hitsAtRestore // hits resumed after the restore
    } finally {
        client.close()
        runBlocking { client.flush(10.seconds) }
        storage.close()
        pool.close()
    }
}

/** The live threads this spec's pool, proxy and traffic started. */
private fun ownThreads(server: TestDatabase.Server): Set<String> = Thread.getAllStackTraces().keys
    .filter { it.isAlive }
    .map { it.name }
    .filter { it.contains("connection-loss-$server") || it.startsWith("TcpProxy-") || it.startsWith("loss-traffic-") }
    .toSet()
