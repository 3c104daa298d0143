package dev.stackquery.micrometer

import dev.stackquery.QueryFilter
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.TieredStorage
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import java.util.concurrent.TimeUnit

private val text = QueryCodec.of<String>({ "\"" + it + "\"" }, { it.trim('"') })

class StorageMetricsSpec : FunSpec({

    test("a client without storage has no storage meters") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            registry.meters.filter { it.id.name.startsWith("stackquery.storage.") }.shouldBeEmpty()
            metrics.close()
            client.close()
        }
    }

    test("the storage counters, read timer and gauges follow the client's storageStats") {
        runTest {
            val storage = InMemoryStorage()
            val writer = testClient(storage = storage)
            writer.fetchQuery(QueryOptions(queryKey("a"), { "alpha" }, codec = text))
            writer.flush()
            writer.close()

            val client = testClient(storage = storage)
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            registry.gaugeValue("stackquery.storage.circuit.open") shouldBe 0.0
            // Found, stale (staleTime 0): refetched.
            client.fetchQuery(QueryOptions(queryKey("a"), { "fetched" }, codec = text))
            client.fetchQuery(QueryOptions(queryKey("b"), { "beta" }, codec = text)) // missing
            val pending = client.storageStats()!!.pendingWrites
            pending shouldBe 1 // b's write (a's was sent while b read the storage)
            registry.gaugeValue("stackquery.storage.writes.pending") shouldBe pending.toDouble()
            client.flush()
            // One key deleted (a prefix filter would add a prefix deletion).
            client.removeQueries(QueryFilter.exact(queryKey("b")))
            client.flush()

            val stats = client.storageStats()!!
            registry.count("stackquery.storage.requests", "result", "hit") shouldBe 0
            registry.count("stackquery.storage.requests", "result", "stale") shouldBe 1
            registry.count("stackquery.storage.requests", "result", "miss") shouldBe 1
            registry.count("stackquery.storage.requests", "result", "corrupt") shouldBe 0
            registry.count("stackquery.storage.requests", "result", "pending") shouldBe 0
            registry.count("stackquery.storage.writes") shouldBe 2
            registry.count("stackquery.storage.deletes") shouldBe 1
            registry.count("stackquery.storage.errors", "cause", "timeout") shouldBe 0
            registry.count("stackquery.storage.errors", "cause", "failure") shouldBe 0
            registry.count("stackquery.storage.skipped") shouldBe 0
            registry.count("stackquery.storage.writes.dropped") shouldBe 0
            registry.gaugeValue("stackquery.storage.writes.pending") shouldBe 0.0
            listOf(stats.staleHits, stats.misses, stats.writes, stats.deletes) shouldBe listOf(1L, 1L, 2L, 1L)
            val reads = registry.get("stackquery.storage.read.duration").functionTimer()
            reads.count() shouldBe 2.0
            // Micrometer keeps the total in its base unit (seconds) as a double: the nanoseconds come
            // back through two conversions, exact to far better than a nanosecond but not to the last bit.
            reads.totalTime(TimeUnit.NANOSECONDS) shouldBe (stats.totalReadNanos.toDouble() plusOrMinus 0.001)
            metrics.close()
            client.close()
        }
    }

    test("a tiered storage gets per-tier counters, tagged with the tier's index") {
        runTest {
            val tiered = TieredStorage(
                listOf(InMemoryStorage(), InMemoryStorage()),
                coroutineContext = StandardTestDispatcher(testScheduler),
            )
            val client = testClient(storage = tiered)
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            client.fetchQuery(QueryOptions(queryKey("a"), { "alpha" }, codec = text))
            client.flush()
            for (tier in listOf("0", "1")) {
                registry.count("stackquery.storage.tier.requests", "tier", tier, "result", "hit") shouldBe 0
                registry.count("stackquery.storage.tier.requests", "tier", tier, "result", "miss") shouldBe 1
                registry.count("stackquery.storage.tier.writes", "tier", tier) shouldBe 1
                registry.count("stackquery.storage.tier.backfills", "tier", tier) shouldBe 0
                registry.count("stackquery.storage.tier.errors", "tier", tier) shouldBe 0
            }
            tiered.stats().map { it.misses to it.writes } shouldBe listOf(1L to 1L, 1L to 1L)
            metrics.close()
            client.close()
        }
    }
})
