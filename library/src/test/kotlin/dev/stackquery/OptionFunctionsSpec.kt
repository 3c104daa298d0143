package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.lang.management.ManagementFactory
import java.util.Collections
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class OptionFunctionsSpec : FunSpec({
    val key = queryKey("item", 1)

    test("a stale-time function is asked with the query's key and current state each time staleness is checked") {
        runTest {
            val client = testClient()
            val asked = Collections.synchronizedList(mutableListOf<String>())
            val fetcher = FakeFetcher { if (it == 1) "short" else "long" }
            val options = QueryOptions(
                key,
                { fetcher() },
                staleTimeFunction = { query ->
                    asked += "${query.queryKey}:${query.state.data}"
                    if (query.state.data == "short") StaleTime.of(1.seconds) else StaleTime.of(1.minutes)
                },
            )
            client.fetchQuery(options) shouldBe "short" // at 100 ms
            asked.clear()
            settle(500.milliseconds)
            client.fetchQuery(options) shouldBe "short"
            fetcher.calls shouldBe 1 // 0.5 s old, fresh for 1 s
            asked.first() shouldBe "[\"item\",1]:short"
            settle(500.milliseconds) // 1 s old: stale
            client.fetchQuery(options) shouldBe "short"
            settle(100.milliseconds)
            fetcher.calls shouldBe 2
            settle(30.seconds)
            client.fetchQuery(options) shouldBe "long" // 30 s old, fresh for a minute now that the data is "long"
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("an observer's stale timer follows the stale-time function's answer") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 100.milliseconds) { "v$it" }
            val observer = client.watch(
                QueryOptions(key, { fetcher() }, staleTimeFunction = { StaleTime.ofMillis(2_000) }),
            )
            val stale = Collections.synchronizedList(mutableListOf<String>())
            val subscription = observer.subscribe { if (it.hasData) stale += "${it.isStale}@$currentTime" }
            settle(5.seconds)
            stale shouldBe listOf("false@100", "true@2100")
            subscription.unsubscribe()
            client.close()
        }
    }

    test("STATIC data is fresh even once invalidated: fetchQuery returns it and an observer shows it not stale") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() }, staleTimeFunction = StaleTime.always(StaleTime.STATIC))
            client.fetchQuery(options) shouldBe "v1"
            val observer = client.watch(options)
            val subscription = observer.subscribe {}
            settle()
            client.invalidateQueries(queryKey("item"))
            settle()
            fetcher.calls shouldBe 1 // invalidateQueries does not refetch an observed static query
            client.getQueryState<String>(key)?.isInvalidated shouldBe true // the flag is still set
            client.getQueryState<String>(key)?.isStale shouldBe false
            observer.current.isStale shouldBe false
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 1
            client.refetchQueries(queryKey("item")) // an observed static query is skipped (TanStack's isStatic)
            fetcher.calls shouldBe 1
            subscription.unsubscribe()
            client.refetchQueries(queryKey("item")) // unobserved, it is refetched as any other
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("STATIC from a stale-time function or from defaults; a query without data is still fetched") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(queryKey("config"), QueryDefaults(staleTime = StaleTime.STATIC))
            val fetcher = FakeFetcher { "v$it" }
            val fromDefaults = QueryOptions(queryKey("config", 1), { fetcher() })
            client.fetchQuery(fromDefaults) shouldBe "v1" // no data: fetched
            client.invalidateQueries(queryKey("config"))
            client.fetchQuery(fromDefaults) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 1
            val fromFunction = QueryOptions(key, { fetcher() }, staleTimeFunction = { StaleTime.STATIC })
            client.fetchQuery(fromFunction) shouldBe "v2"
            client.invalidateQueries(key)
            client.fetchQuery(fromFunction) shouldBe "v2"
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("STATIC wins over refetchOnSubscribe ALWAYS once the query has data, as TanStack's shouldFetchOn") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(
                key,
                { fetcher() },
                refetchOnSubscribe = RefetchTrigger.ALWAYS,
                staleTimeFunction = StaleTime.always(StaleTime.STATIC),
            )
            val observer = client.watch(options)
            try {
                val first = observer.subscribe {}
                settle()
                fetcher.calls shouldBe 1 // no data yet: fetched
                first.unsubscribe()
                val again = observer.subscribe {}
                settle()
                fetcher.calls shouldBe 1 // static data: not refetched on subscribe, even with ALWAYS
                observer.current.data shouldBe "v1"
                again.unsubscribe()
            } finally {
                client.close()
            }
        }
    }

    test("a fresh hit with a constant STATIC stale time allocates nothing") {
        runTest {
            val client = testClient()
            val options = QueryOptions(key, { "alice" }, staleTimeFunction = StaleTime.always(StaleTime.STATIC))
            client.fetchQuery(options)
            val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
            val thread = Thread.currentThread().id
            repeat(20_000) { client.engine.freshState(options) }
            val before = threads.getThreadAllocatedBytes(thread)
            repeat(100_000) { client.engine.freshState(options) }
            val allocated = threads.getThreadAllocatedBytes(thread) - before
            allocated shouldBeLessThan 10_000L
            client.close()
        }
    }

    test("a refetchInterval function is re-evaluated after each fetch; null stops polling") {
        runTest {
            val client = testClient()
            try {
                val callTimes = Collections.synchronizedList(mutableListOf<Long>())
                val options = QueryOptions(
                    key,
                    {
                        callTimes += currentTime
                        delay(100.milliseconds)
                        callTimes.size
                    },
                    refetchIntervalFunction = { query -> if ((query.state.data ?: 0) < 3) 1.seconds else null },
                )
                val observer = client.watch(options)
                val subscription = observer.subscribe {}
                runCurrent()
                settle(10.seconds)
                callTimes shouldBe listOf(0L, 1_000L, 2_000L) // the third fetch's data (3) stopped it
                observer.current.data shouldBe 3
                subscription.unsubscribe()
            } finally {
                client.close() // also when an assertion fails: a polling client would keep runTest busy forever
            }
        }
    }

    test("a refetchInterval function's new period takes effect after the fetch that changed it") {
        runTest {
            val client = testClient()
            try {
                val callTimes = Collections.synchronizedList(mutableListOf<Long>())
                val options = QueryOptions(
                    key,
                    {
                        callTimes += currentTime
                        delay(100.milliseconds)
                        callTimes.size
                    },
                    refetchIntervalFunction = { query -> if (query.state.data == 2) 3.seconds else 1.seconds },
                )
                val subscription = client.watch(options).subscribe {}
                runCurrent()
                settle(6.seconds)
                // 0 s: data 1 at 0.1 s (1 s, the period it started with), 1 s: data 2 at 1.1 s (3 s, restarted
                // from then), 4.1 s: data 3 at 4.2 s (1 s, restarted), 5.2 s: data 4 (1 s: unchanged), 6.2 s ...
                callTimes shouldBe listOf(0L, 1_000L, 4_100L, 5_200L)
                subscription.unsubscribe()
            } finally {
                client.close() // also when an assertion fails: a polling client would keep runTest busy forever
            }
        }
    }

    test("an enabled function is asked with the query's current state: here, enabled only until data arrives") {
        runTest {
            val client = testClient()
            try {
                val fetcher = FakeFetcher { "v$it" }
                val options = QueryOptions(
                    key,
                    { fetcher() },
                    refetchInterval = 1.seconds,
                    enabledFunction = { query -> !query.state.hasData },
                )
                val observer = client.watch(options)
                val subscription = observer.subscribe {}
                settle(3.seconds)
                fetcher.calls shouldBe 1 // fetched on subscribe; no polling once it had data
                observer.current.isStale shouldBe false // a disabled observer's data is never stale
                client.invalidateQueries(key)
                settle()
                fetcher.calls shouldBe 1 // disabled now: invalidation does not refetch it
                client.removeQueries(key) // a new query without data: enabled again, fetched on re-attach
                settle()
                fetcher.calls shouldBe 2
                observer.current.data shouldBe "v2"
                subscription.unsubscribe()
            } finally {
                client.close() // also when an assertion fails: a polling client would keep runTest busy forever
            }
        }
    }

    test("a placeholder function gets the previous query's data and snapshot when the observer switches keys") {
        runTest {
            val client = testClient()
            val calls = Collections.synchronizedList(mutableListOf<String>())
            fun page(n: Int) = QueryOptions(
                queryKey("page", n),
                {
                    delay(100.milliseconds)
                    "page $n"
                },
                placeholderDataFunction = { previous, previousQuery ->
                    calls += "$previous/${previousQuery?.queryKey}"
                    if (previous == null) "loading" else "$previous (old)"
                },
            )
            val observer = client.watch(page(1))
            val shown = Collections.synchronizedList(mutableListOf<String>())
            val subscription = observer.subscribe { shown += "${it.status}/${it.data}/${it.isPlaceholderData}" }
            settle()
            observer.setOptions(page(2))
            settle()
            shown shouldBe listOf(
                "SUCCESS/loading/true",
                "SUCCESS/page 1/false",
                "SUCCESS/page 1 (old)/true",
                "SUCCESS/page 2/false",
            )
            calls shouldBe listOf("null/null", "page 1/[\"page\",1]")
            subscription.unsubscribe()
            client.close()
        }
    }

    test("keepPreviousData still shows the previous data with a placeholder function set") {
        runTest {
            val client = testClient()
            fun page(n: Int) = QueryOptions(
                queryKey("page", n),
                {
                    delay(100.milliseconds)
                    "page $n"
                },
                keepPreviousData = true,
                placeholderDataFunction = { _, _ -> "from the function" },
            )
            val observer = client.watch(page(1))
            val shown = Collections.synchronizedList(mutableListOf<String>())
            val subscription = observer.subscribe { shown += "${it.data}/${it.isPlaceholderData}" }
            settle()
            observer.setOptions(page(2))
            settle()
            shown shouldBe listOf("from the function/true", "page 1/false", "page 1/true", "page 2/false")
            subscription.unsubscribe()
            client.close()
        }
    }
})
