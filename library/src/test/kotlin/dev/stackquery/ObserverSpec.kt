package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Every state a listener of [observer] received, as `brief()` strings. */
private fun <T> QueryObserver<T>.record(): Pair<Subscription, List<String>> {
    val seen = mutableListOf<String>()
    return subscribe { seen += it.brief() + if (it.isInvalidated) "/invalidated" else "" } to seen
}

class ObserverSpec : FunSpec({
    val key = queryKey("user", 1)

    test("a cold subscription shows IDLE, then PENDING while fetching, then SUCCESS") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "alice" }
            val (subscription, seen) = client.watch(QueryOptions(key, { fetcher() })).record()
            settle()
            seen shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/alice/0")
            fetcher.calls shouldBe 1
            subscription.unsubscribe()
            client.close()
        }
    }

    test("the listener gets the current state at once, on the subscribing thread") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.setQueryData(key, "cached")
            val seen = mutableListOf<String>()
            val subscription = client.watch(QueryOptions(key, { "fetched" })).subscribe { seen += it.brief() }
            seen shouldBe listOf("SUCCESS/IDLE/cached/0")
            settle()
            seen shouldBe listOf("SUCCESS/IDLE/cached/0") // fresh: no refetch
            subscription.close()
            client.close()
        }
    }

    test("a refetch that fails after retries shows each failure and keeps the data") {
        runTest {
            val client = testClient(retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = FakeFetcher { if (it == 1) "v1" else throw IllegalStateException("down") }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val (subscription, seen) = observer.record()
            settle()
            observer.refetch().brief() shouldBe "ERROR/IDLE/v1/3"
            runCurrent()
            seen shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/FETCHING/v1/0",
                "SUCCESS/FETCHING/v1/1",
                "SUCCESS/FETCHING/v1/2",
                "ERROR/IDLE/v1/3",
            )
            subscription.close()
            client.close()
        }
    }

    test("two observers of one key share one query and one fetch") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "shared" }
            val (a, seenA) = client.watch(QueryOptions(key, { fetcher() })).record()
            val (b, seenB) = client.watch(QueryOptions(key, { fetcher() })).record()
            settle()
            fetcher.calls shouldBe 1
            seenA.last() shouldBe "SUCCESS/IDLE/shared/0"
            seenB.last() shouldBe "SUCCESS/IDLE/shared/0"
            client.query<String>(key).observerCount shouldBe 2
            a.close()
            b.close()
            client.close()
        }
    }

    test("the first subscriber attaches, the last one detaches, and subscribing again attaches again") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val first = observer.subscribe {}
            val second = observer.subscribe {}
            settle()
            client.query<String>(key).observerCount shouldBe 1 // one observer, two subscribers
            first.close()
            client.query<String>(key).isActive shouldBe true
            second.close()
            client.query<String>(key).isActive shouldBe false
            client.invalidateQueries(key) // inactive: only marked
            fetcher.calls shouldBe 1
            val again = observer.subscribe {}
            settle()
            fetcher.calls shouldBe 2 // re-attached, and the invalidated data is refetched
            client.query<String>(key).isActive shouldBe true
            again.close()
            client.close()
        }
    }

    test("collecting the state flow makes the observer active while the collection runs") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val seen = mutableListOf<String>()
            val collector = launch { observer.state.collect { seen += it.brief() } }
            settle()
            seen shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/v1/0")
            client.query<String>(key).isActive shouldBe true
            collector.cancel()
            runCurrent()
            client.query<String>(key).isActive shouldBe false
            client.close()
        }
    }

    test("the state value is readable without subscribers and follows the cache") {
        runTest {
            val client = testClient()
            val observer = client.watch(QueryOptions(key, { "fetched" }))
            observer.current.brief() shouldBe "IDLE/IDLE/null/0"
            client.setQueryData(key, "manual")
            observer.state.value.brief() shouldBe "SUCCESS/IDLE/manual/0"
            runCurrent()
            client.getQueryState<String>(key)!!.isFetching shouldBe false // reading never fetches
            client.close()
        }
    }

    test("an active query is refetched at once by invalidation; an inactive one is only marked") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val (subscription, seen) = client.watch(QueryOptions(key, { fetcher() })).record()
            settle()
            client.invalidateQueries(key)
            runCurrent()
            fetcher.calls shouldBe 2
            seen shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/IDLE/v1/0/invalidated",
                "SUCCESS/FETCHING/v1/0/invalidated",
                "SUCCESS/IDLE/v2/0",
            )
            subscription.close()
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.isInvalidated shouldBe true
            client.close()
        }
    }

    test("a disabled observer never fetches and stays IDLE until data arrives by other means") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "fetched" }
            val observer = client.watch(QueryOptions(key, { fetcher() }, enabled = false, refetchInterval = 1.seconds))
            val (subscription, seen) = observer.record()
            settle(5.seconds)
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 0
            client.setQueryData(key, "manual")
            runCurrent()
            seen shouldBe listOf("IDLE/IDLE/null/0", "IDLE/IDLE/null/0/invalidated", "SUCCESS/IDLE/manual/0")
            subscription.close()
            client.close()
        }
    }

    test("refetchOnSubscribe decides whether subscribing fetches fresh, stale or missing data") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            client.setQueryData(key, "fresh")
            val always = client.watch(QueryOptions(key, { fetcher() }, refetchOnSubscribe = RefetchTrigger.ALWAYS))
            always.subscribe {}.close()
            settle()
            fetcher.calls shouldBe 1

            val other = queryKey("other")
            val never = client.watch(QueryOptions(other, { fetcher() }, refetchOnSubscribe = RefetchTrigger.NEVER))
            val subscription = never.subscribe {}
            settle()
            fetcher.calls shouldBe 1
            never.current.brief() shouldBe "IDLE/IDLE/null/0"
            subscription.close()

            client.watch(QueryOptions(key, { fetcher() })).subscribe {}.close() // IF_STALE on fresh data
            settle()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a listener that throws is logged; other listeners and the cache carry on") {
        runTest {
            val client = testClient()
            val observer = client.watch(QueryOptions(key, { FakeFetcher { "data" }() }))
            val failing = observer.subscribe { throw IllegalStateException("listener bug") }
            val (healthy, seen) = observer.record()
            settle()
            seen shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/data/0")
            failing.isSubscribed shouldBe true
            client.getQueryData<String>(key) shouldBe "data"
            failing.close()
            healthy.close()
            client.close()
        }
    }

    test("unsubscribing is idempotent and stops deliveries") {
        runTest {
            val client = testClient()
            val observer = client.watch(QueryOptions(key, { "v" }, enabled = false))
            val (subscription, seen) = observer.record()
            subscription.unsubscribe()
            subscription.unsubscribe()
            subscription.isSubscribed shouldBe false
            client.setQueryData(key, "after")
            runCurrent()
            seen shouldBe listOf("IDLE/IDLE/null/0")
            client.query<String>(key).isActive shouldBe false
            client.close()
        }
    }

    test("the query is collected gcTime after its last subscriber left") {
        runTest {
            val client = testClient(gcTime = 1.minutes)
            val subscription = client.watch(QueryOptions(key, { "v" })).subscribe {}
            settle(10.minutes)
            client.getQueryState<String>(key)!!.isSuccess shouldBe true
            subscription.close()
            settle(1.minutes - 1.milliseconds)
            client.getQueryState<String>(key)!!.isSuccess shouldBe true
            settle(1.milliseconds)
            client.getQueryState<String>(key) shouldBe null
            client.close()
        }
    }

    test("an observed query that is removed is recreated and fetched again for its observer") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val (subscription, seen) = client.watch(QueryOptions(key, { fetcher() })).record()
            settle()
            client.removeQueries(key)
            settle()
            fetcher.calls shouldBe 2
            seen shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v2/0",
            )
            client.query<String>(key).isActive shouldBe true
            subscription.close()
            client.close()
        }
    }

    test("closing the client ends state collectors and subscriptions") {
        runTest {
            val client = testClient()
            val observer = client.watch(QueryOptions(key, { FakeFetcher { "v" }() }))
            var ended: Throwable? = null
            val collector = launch(StandardTestDispatcher(testScheduler), start = CoroutineStart.UNDISPATCHED) {
                try {
                    observer.state.collect {}
                } catch (e: Throwable) {
                    ended = e
                    throw e
                }
            }
            val subscription = observer.subscribe {}
            settle()
            client.close()
            runCurrent()
            collector.isCompleted shouldBe true
            ended.shouldBeInstanceOf<CancellationException>()
            subscription.isSubscribed shouldBe false
            observer.current.brief() shouldBe "SUCCESS/IDLE/v/0" // the last state stays readable
        }
    }
})
