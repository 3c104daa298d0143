package dev.stackquery.micrometer

import dev.stackquery.FetchReason
import dev.stackquery.OnlineManager
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryOptions
import dev.stackquery.RetryPolicy
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.micrometer.core.instrument.Tags
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class StackQueryMetricsSpec : FunSpec({

    test(
        "after a scripted workload the counters are the client's stats exactly, and the fetches are timed by reason and outcome",
    ) {
        runTest {
            val client = testClient(staleTime = 10.seconds, retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            val fetcher = FakeFetcher { "v$it" }
            val a = QueryOptions(queryKey("a"), { fetcher() })
            client.fetchQuery(a) // miss: fetch (100 ms)
            client.fetchQuery(a) // hit
            settle(10.seconds)
            client.fetchQuery(a) // stale hit: a background fetch (100 ms)
            settle()

            val b = QueryOptions(queryKey("b"), { fetcher() })
            val callers = List(3) { async { client.fetchQuery(b) } } // three misses sharing one fetch: two joins
            runCurrent()
            registry.gaugeValue("stackquery.fetches.active") shouldBe 1.0
            registry.gaugeValue("stackquery.queries") shouldBe 2.0
            callers.awaitAll()

            val failing = FakeFetcher<String> { throw IllegalStateException("down $it") }
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(queryKey("c"), { failing() })) }
            client.prefetchQuery(QueryOptions(queryKey("d"), { fetcher() }))

            val cancelled = launch {
                shouldThrow<QueryCancelledException> { client.fetchQuery(QueryOptions(queryKey("e"), { fetcher() })) }
            }
            settle(50.milliseconds)
            client.cancelQueries(queryKey("e"))
            cancelled.join()

            val subscription = client.watch(QueryOptions(queryKey("f"), { fetcher() })).subscribe { }
            settle()
            registry.gaugeValue("stackquery.queries.active") shouldBe 1.0
            client.invalidateQueries(queryKey("f"))
            settle()
            subscription.unsubscribe()
            registry.gaugeValue("stackquery.queries.active") shouldBe 0.0
            registry.gaugeValue("stackquery.fetches.active") shouldBe 0.0
            registry.gaugeValue("stackquery.queries") shouldBe 6.0

            val stats = client.stats()
            registry.count("stackquery.requests", "result", "hit") shouldBe 1
            registry.count("stackquery.requests", "result", "stale") shouldBe 1
            registry.count("stackquery.requests", "result", "miss") shouldBe 6 // a, b three times, c, e
            registry.count("stackquery.fetches") shouldBe 8 // a twice, b, c, d, e, f attached, f invalidated
            registry.count("stackquery.fetch.failures") shouldBe 1
            registry.count("stackquery.fetch.joins") shouldBe 2
            registry.count("stackquery.fetch.retries") shouldBe 2
            registry.count("stackquery.evictions") shouldBe 0
            registry.count("stackquery.gc.removals") shouldBe 0
            registry.count("stackquery.fetches.started", "reason", "fetch") shouldBe
                client.stats().fetchesByReason[FetchReason.FETCH]
            registry.count("stackquery.fetches.started", "reason", "focus") shouldBe 0
            listOf(
                stats.hits,
                stats.staleHits,
                stats.misses,
                stats.fetches,
                stats.fetchFailures,
                stats.dedupJoins,
                stats.retries,
            ) shouldBe
                listOf(1L, 1L, 6L, 8L, 1L, 2L, 2L)

            registry.fetchTimers() shouldBe mapOf(
                "fetch/success" to "3 x 300 ms",
                "fetch/error" to "1 x 2300 ms", // three attempts of 100 ms, two 1 s backoffs
                "prefetch/success" to "1 x 100 ms",
                "fetch/cancelled" to "1 x 50 ms",
                "observer_attached/success" to "1 x 100 ms",
                "invalidate/success" to "1 x 100 ms",
            )
            metrics.close()
            client.close()
        }
    }

    test("evictions and gc removals are counted, and the queries gauge follows them") {
        runTest {
            val client = testClient(gcTime = 1.minutes, cacheMaxSize = 2)
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            for (name in listOf("x", "y", "z")) client.setQueryData(queryKey(name), name)
            registry.count("stackquery.evictions") shouldBe 1
            registry.gaugeValue("stackquery.queries") shouldBe 2.0
            settle(1.minutes)
            registry.count("stackquery.gc.removals") shouldBe 2
            registry.count("stackquery.evictions") shouldBe 1
            registry.gaugeValue("stackquery.queries") shouldBe 0.0
            metrics.close()
            client.close()
        }
    }

    test("paused fetches are a gauge, and fetches started are counted by reason") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = testClient(onlineManager = online)
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            val subscription = client.watch(QueryOptions(queryKey("feed"), { "v" })).subscribe {}
            runCurrent()
            registry.gaugeValue("stackquery.fetches.paused") shouldBe 1.0
            registry.gaugeValue("stackquery.fetches.active") shouldBe 0.0
            online.setOnline(true)
            settle()
            registry.gaugeValue("stackquery.fetches.paused") shouldBe 0.0
            registry.count("stackquery.fetches.started", "reason", "observer_attached") shouldBe 1
            registry.count("stackquery.fetches.started", "reason", "reconnect") shouldBe 0 // joined the paused one
            subscription.unsubscribe()
            metrics.close()
            client.close()
        }
    }

    test("the common tags are on every meter") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry, Tags.of("client", "users"))
            client.fetchQuery(QueryOptions(queryKey("a"), { 1 }))
            runCurrent()
            val meters = registry.meters.filter { it.id.name.startsWith("stackquery.") }
            meters.map { it.id.name }.toSet() shouldBe setOf(
                "stackquery.requests", "stackquery.fetches", "stackquery.fetch.failures", "stackquery.fetch.joins",
                "stackquery.fetch.retries", "stackquery.evictions", "stackquery.gc.removals", "stackquery.queries",
                "stackquery.queries.active", "stackquery.fetches.active", "stackquery.fetch.duration",
                "stackquery.fetches.started", "stackquery.fetches.paused",
            )
            meters.filter { it.id.getTag("client") != "users" }.shouldBeEmpty()
            metrics.close()
            client.close()
        }
    }

    test("closing removes every meter and stops timing; a new binder can bind the same client again") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics.bind(client, registry)
            client.fetchQuery(QueryOptions(queryKey("a"), { 1 }))
            runCurrent()
            registry.timers("stackquery.fetch.duration").size shouldBe 1
            metrics.close()
            metrics.close() // idempotent
            registry.meters.shouldBeEmpty()
            client.fetchQuery(QueryOptions(queryKey("b"), { 2 }))
            runCurrent()
            registry.meters.shouldBeEmpty()

            val again = StackQueryMetrics.bind(client, registry)
            registry.count("stackquery.fetches") shouldBe 2
            registry.timers("stackquery.fetch.duration").shouldBeEmpty()
            again.close()
            client.close()
        }
    }

    test("one binder binds each registry once, and never after it was closed") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val metrics = StackQueryMetrics(client)
            metrics.bindTo(registry)
            shouldThrow<IllegalArgumentException> { metrics.bindTo(registry) }.message shouldBe
                "StackQueryMetrics is already bound to this registry: $registry"
            val other = virtualRegistry()
            metrics.bindTo(other)
            client.fetchQuery(QueryOptions(queryKey("a"), { 1 }))
            runCurrent()
            registry.fetchTimers() shouldBe mapOf("fetch/success" to "1 x 0 ms")
            other.fetchTimers() shouldBe mapOf("fetch/success" to "1 x 0 ms")
            metrics.close()
            other.meters.shouldBeEmpty()
            shouldThrow<IllegalStateException> { metrics.bindTo(virtualRegistry()) }.message shouldBe
                "StackQueryMetrics is closed: create a new one to bind again"
            client.close()
        }
    }
})
