package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.lang.management.ManagementFactory
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class QueryDefaultsSpec : FunSpec({
    val user = queryKey("user")
    val admin = queryKey("user", "admin")

    test("defaultQueryOptions merges client config < less specific prefix < more specific prefix < the options") {
        runTest {
            val client = testClient(staleTime = 1.seconds, gcTime = 7.minutes, retry = 0)
            client.setQueryDefaults(admin, QueryDefaults(staleTime = StaleTime.of(1.minutes)))
            client.setQueryDefaults(
                user,
                QueryDefaults(staleTime = StaleTime.of(10.seconds), retry = 2, enabled = false),
            )
            val merged = client.defaultQueryOptions(QueryOptions(queryKey("user", "admin", 1), { "x" }))
            merged.staleTime shouldBe 1.minutes // the more specific prefix, though it was set first
            merged.retry shouldBe 2 // from the less specific prefix
            merged.enabled shouldBe false
            merged.gcTime shouldBe 7.minutes // from the client config
            merged.retryPolicy shouldBeSameInstanceAs RetryPolicy.DEFAULT
            merged.refetchOnSubscribe shouldBe RefetchTrigger.IF_STALE // the documented default
            val own = client.defaultQueryOptions(
                QueryOptions(queryKey("user", "admin", 1), { "x" }, staleTime = 5.seconds, retry = 0, enabled = true),
            )
            own.staleTime shouldBe 5.seconds
            own.retry shouldBe 0 // an explicit 0 wins over the default 2
            own.enabled shouldBe true
            val other = client.defaultQueryOptions(QueryOptions(queryKey("post", 1), { "x" }))
            other.staleTime shouldBe 1.seconds
            other.retry shouldBe 0
            other.enabled shouldBe true
            client.close()
        }
    }

    test("getQueryDefaults merges every matching prefix, most specific last; setting a prefix again replaces it") {
        runTest {
            val client = testClient()
            client.getQueryDefaults(user).staleTime shouldBe null
            client.setQueryDefaults(user, QueryDefaults(staleTime = StaleTime.of(10.seconds), retry = 2))
            client.setQueryDefaults(admin, QueryDefaults(retry = 5))
            val forAdmin = client.getQueryDefaults(queryKey("user", "admin", 1))
            forAdmin.staleTime shouldBe StaleTime.of(10.seconds)
            forAdmin.retry shouldBe 5
            client.getQueryDefaults(queryKey("user", 1)).retry shouldBe 2
            client.setQueryDefaults(user, QueryDefaults(retry = 1)) // replaces, does not merge with the old value
            val replaced = client.getQueryDefaults(queryKey("user", 1))
            replaced.staleTime shouldBe null
            replaced.retry shouldBe 1
            client.getQueryDefaults(queryKey("user", "admin")).retry shouldBe 5
            client.close()
        }
    }

    test("fetchQuery uses the stale time of the key's defaults") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(user, QueryDefaults(staleTime = StaleTime.of(10.seconds)))
            val fetcher = FakeFetcher(latency = 100.milliseconds) { "v$it" }
            val options = QueryOptions(queryKey("user", 1), { fetcher() })
            client.fetchQuery(options) shouldBe "v1" // at 100 ms
            settle(5.seconds)
            client.fetchQuery(options) shouldBe "v1"
            fetcher.calls shouldBe 1 // fresh: the client's stale time (0) would have refetched
            settle(5.seconds) // 10.1 s after the data: stale
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("fetchQuery retries as the key's defaults say, and an explicit retry = 0 in the options wins") {
        runTest {
            val client = testClient(retryPolicy = RetryPolicy.fixed(1.seconds))
            client.setQueryDefaults(user, QueryDefaults(retry = 2))
            val calls = AtomicInteger()
            val failing: suspend () -> String = {
                calls.incrementAndGet()
                throw IllegalStateException("down")
            }
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(queryKey("user", 1), failing)) }
            calls.get() shouldBe 3
            shouldThrow<IllegalStateException> {
                client.fetchQuery(QueryOptions(queryKey("user", 2), failing, retry = 0))
            }
            calls.get() shouldBe 4
            client.close()
        }
    }

    test("a default enabled = false keeps observers from fetching; enabled = true in the options wins") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(user, QueryDefaults(enabled = false))
            val fetcher = FakeFetcher { "v$it" }
            val disabled = client.watch(QueryOptions(queryKey("user", 1), { fetcher() }))
            val first = disabled.subscribe {}
            settle()
            disabled.current.brief() shouldBe "IDLE/IDLE/null/0"
            fetcher.calls shouldBe 0
            val enabled = client.watch(QueryOptions(queryKey("user", 2), { fetcher() }, enabled = true))
            val second = enabled.subscribe {}
            settle()
            enabled.current.brief() shouldBe "SUCCESS/IDLE/v1/0"
            fetcher.calls shouldBe 1
            first.unsubscribe()
            second.unsubscribe()
            client.close()
        }
    }

    test("observers poll at the refetchInterval of the key's defaults") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(user, QueryDefaults(refetchInterval = 1.seconds))
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(queryKey("user", 1), { fetcher() }))
            val subscription = observer.subscribe {}
            runCurrent()
            settle(3.seconds) // fetches at 0, 1 s, 2 s and 3 s
            fetcher.calls shouldBe 4
            subscription.unsubscribe()
            settle(3.seconds)
            fetcher.calls shouldBe 4
            client.close()
        }
    }

    test("setOptions takes the defaults set since; an observer made before them keeps its options until then") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(queryKey("user", 1), { fetcher() })
            val observer = client.watch(options)
            client.setQueryDefaults(user, QueryDefaults(refetchInterval = 1.seconds))
            val subscription = observer.subscribe {}
            settle(2.seconds)
            fetcher.calls shouldBe 1 // no polling: its options were merged when it was made
            observer.setOptions(options)
            observer.options.refetchInterval shouldBe 1.seconds
            settle(2.seconds)
            fetcher.calls shouldBe 3
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a query setQueryData creates takes the stale time of its key's defaults") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(user, QueryDefaults(staleTime = StaleTime.of(1.minutes)))
            client.setQueryData(queryKey("user", 1), "written")
            settle(30.seconds)
            client.getQueryState<String>(queryKey("user", 1))?.isStale shouldBe false
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(queryKey("user", 1), { fetcher() })) shouldBe "written"
            runCurrent()
            fetcher.calls shouldBe 0
            settle(30.seconds)
            client.getQueryState<String>(queryKey("user", 1))?.isStale shouldBe true
            client.setQueryData(queryKey("post", 1), "other")
            client.getQueryState<String>(queryKey("post", 1))?.isStale shouldBe true // the client's stale time: 0
            client.close()
        }
    }

    test("with defaults registered, a fresh hit still allocates nothing (the merge is cached on the options)") {
        runTest {
            val client = testClient()
            client.setQueryDefaults(user, QueryDefaults(staleTime = StaleTime.INFINITE))
            client.setQueryDefaults(queryKey("post"), QueryDefaults(retry = 1))
            val options = QueryOptions(queryKey("user", 1), { "alice" })
            client.fetchQuery(options)
            client.engine.freshState(options)?.data shouldBe "alice"
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

    test("options are their own merge when no defaults match, and the same merge is reused until defaults change") {
        runTest {
            val client = testClient()
            val options = QueryOptions(queryKey("user", 1), { "alice" })
            client.engine.withDefaults(options) shouldBeSameInstanceAs options
            client.setQueryDefaults(queryKey("post"), QueryDefaults(retry = 1))
            client.engine.withDefaults(options) shouldBeSameInstanceAs options
            client.setQueryDefaults(user, QueryDefaults(retry = 1))
            val merged = client.engine.withDefaults(options)
            merged.retry shouldBe 1
            client.engine.withDefaults(options) shouldBeSameInstanceAs merged
            client.engine.withDefaults(merged) shouldBeSameInstanceAs merged
            client.setQueryDefaults(user, QueryDefaults(retry = 2))
            client.engine.withDefaults(options).retry shouldBe 2
            client.close()
        }
    }

    test("QueryDefaults rejects bad values naming the field") {
        shouldThrow<IllegalArgumentException> { QueryDefaults(retry = -1) }.message shouldBe
            "retry must be >= 0, was -1"
        shouldThrow<IllegalArgumentException> { QueryDefaults(refetchInterval = Duration.ZERO) }.message shouldBe
            "refetchInterval must be positive, was 0s"
        shouldThrow<IllegalArgumentException> { QueryDefaults(gcTime = (-1).seconds) }.message shouldBe
            "gcTime must not be negative, was -1s"
    }
})
