package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

private data class Profile(val name: String, val version: Int)

private data class Summary(val name: String)

/** [brief] plus `/invalidated` and `/placeholder` marks. */
private fun QueryState<*>.shown(): String =
    brief() + (if (isInvalidated) "/invalidated" else "") + (if (isPlaceholderData) "/placeholder" else "")

/** Subscribes and records every state the listener receives (on the test dispatcher). */
private fun <T> QueryObserver<T>.record(): Pair<MutableList<QueryState<T>>, Subscription> {
    val states = mutableListOf<QueryState<T>>()
    val subscription = subscribe { states += it }
    return states to subscription
}

class ObserverSelectAndPlaceholderSpec : FunSpec({
    val key = queryKey("profile", 1)

    test("each observer applies its own select to one shared fetch; the cache keeps the raw data") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { Profile("ann", it) }
            val options = QueryOptions(key, { fetcher() })
            val names = client.watch(options) { it.name }
            val versions = client.watch(options) { it.version }
            val (nameStates, _) = names.record()
            val (versionStates, _) = versions.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            fetcher.calls shouldBe 1
            nameStates.map { it.shown() } shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/ann/0")
            versionStates.map { it.shown() } shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/1/0")
            client.getQueryData<Profile>(key) shouldBe Profile("ann", 1)
            client.getQueryState<Profile>(key)!!.brief() shouldBe "SUCCESS/IDLE/Profile(name=ann, version=1)/0"
            client.close()
        }
    }

    test("select runs only when the raw data object changes") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(it, it) }
            val selectCalls = AtomicInteger()
            val observer = client.watch(QueryOptions(key, { fetcher() })) { raw ->
                selectCalls.incrementAndGet()
                raw.sum()
            }
            val (states, _) = observer.record()
            runCurrent()
            selectCalls.get() shouldBe 0 // no data yet: nothing to select
            advanceTimeBy(100.milliseconds)
            runCurrent()
            selectCalls.get() shouldBe 1

            repeat(5) { observer.current.data shouldBe 2 } // reads reuse the memo
            client.invalidateQueries(key) // invalidated + FETCHING states carry the same raw object
            selectCalls.get() shouldBe 2 // ...only the refetch's new raw list ran select again
            runCurrent()

            val same = client.getQueryData<List<Int>>(key)!!
            advanceTimeBy(1.seconds)
            client.setQueryData(key, same) // same object written again (a new state, later dataUpdatedAt): no select
            runCurrent()
            selectCalls.get() shouldBe 2
            client.setQueryData(key, listOf(5, 5)) // a new object: select
            runCurrent()
            selectCalls.get() shouldBe 3

            states.map { it.shown() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/2/0",
                "SUCCESS/IDLE/2/0/invalidated",
                "SUCCESS/FETCHING/2/0/invalidated",
                "SUCCESS/IDLE/4/0",
                "SUCCESS/IDLE/4/0", // the same object rewritten later
                "SUCCESS/IDLE/10/0",
            )
            states[5].dataUpdatedAt shouldBe states[4].dataUpdatedAt + 1_000
            client.close()
        }
    }

    test("an equal select result keeps the previous reference, and a data-only view sees no change") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { Profile("ann", it) }
            val observer = client.watch(QueryOptions(key, { fetcher() })) { Summary(it.name.uppercase()) }
            val byEquality = mutableListOf<Summary?>()
            val byIdentity = mutableListOf<Summary?>()
            backgroundScope.launch(start = CoroutineStart.UNDISPATCHED) {
                observer.state.map { it.data }.distinctUntilChanged().collect { byEquality += it }
            }
            backgroundScope.launch(start = CoroutineStart.UNDISPATCHED) {
                observer.state.map { it.data }.distinctUntilChanged { a, b -> a === b }.collect { byIdentity += it }
            }
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            val first = observer.current.data!!
            first shouldBe Summary("ANN")

            val after = observer.refetch() // version 2: a new raw object, an equal selection
            runCurrent()
            fetcher.calls shouldBe 2
            client.getQueryData<Profile>(key) shouldBe Profile("ann", 2)
            after.data shouldBeSameInstanceAs first
            observer.current.data shouldBeSameInstanceAs first

            byEquality shouldBe listOf(null, Summary("ANN"))
            byIdentity shouldBe listOf(null, Summary("ANN"))
            byIdentity[1] shouldBeSameInstanceAs first
            client.close()
        }
    }

    test("a failing select makes the observer's state ERROR with that exception; the cache stays SUCCESS") {
        runTest {
            val client = testClient()
            val boom = IllegalArgumentException("cannot select")
            val fetcher = FakeFetcher { if (it == 1) "bad" else "good" }
            val observer = client.watch(QueryOptions(key, { fetcher() })) { raw ->
                if (raw == "bad") throw boom
                raw.length
            }
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            states.map { it.shown() } shouldBe listOf("PENDING/FETCHING/null/0", "ERROR/IDLE/null/0")
            states.last().error shouldBeSameInstanceAs boom
            states.last().hasData shouldBe false
            observer.current.error shouldBeSameInstanceAs boom
            val cached = client.getQueryState<String>(key)!!
            cached.brief() shouldBe "SUCCESS/IDLE/bad/0"
            cached.error shouldBe null

            observer.refetch() // new raw data that selects fine: the observer recovers
            runCurrent()
            states.map { it.shown() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "ERROR/IDLE/null/0",
                "ERROR/FETCHING/null/0",
                "SUCCESS/IDLE/4/0",
            )
            states.last().error shouldBe null
            client.close()
        }
    }

    test("placeholder data shows as SUCCESS with isPlaceholderData until the real data, and is never cached") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "real" }
            val observer = client.watch(QueryOptions(key, { fetcher() }, placeholderData = "placeholder"))
            val (states, _) = observer.record()
            runCurrent()
            observer.current.shown() shouldBe "SUCCESS/FETCHING/placeholder/0/placeholder"
            val cachedMeanwhile = client.getQueryState<String>(key)!!
            cachedMeanwhile.hasData shouldBe false
            cachedMeanwhile.data shouldBe null
            cachedMeanwhile.brief() shouldBe "PENDING/FETCHING/null/0"
            client.getQueryData<String>(key) shouldBe null

            advanceTimeBy(100.milliseconds)
            runCurrent()
            states.map { it.shown() } shouldBe listOf(
                "SUCCESS/FETCHING/placeholder/0/placeholder",
                "SUCCESS/IDLE/real/0",
            )
            client.getQueryState<String>(key)!!.isPlaceholderData shouldBe false
            client.close()
        }
    }

    test("placeholder data passes through select") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { Profile("real", 1) }
            val observer = client.watch(
                QueryOptions(key, { fetcher() }, placeholderData = Profile("loading", 0)),
            ) { it.name.uppercase() }
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            states.map { it.shown() } shouldBe listOf(
                "SUCCESS/FETCHING/LOADING/0/placeholder",
                "SUCCESS/IDLE/REAL/0",
            )
            client.close()
        }
    }

    test("a disabled observer with placeholder data stays IDLE without the placeholder") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "real" }
            val observer = client.watch(
                QueryOptions(key, { fetcher() }, placeholderData = "placeholder", enabled = false),
            )
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(10.seconds)
            runCurrent()
            states.map { it.shown() } shouldBe listOf("IDLE/IDLE/null/0")
            observer.current.isPlaceholderData shouldBe false
            fetcher.calls shouldBe 0
            client.close()
        }
    }

    test("setOptions to another key with keepPreviousData shows the previous data as placeholder until the new data") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "call-$it" }
            fun page(n: Int) = QueryOptions(queryKey("page", n), { "page$n-" + fetcher() }, keepPreviousData = true)
            val observer = client.watch(page(1))
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            observer.setOptions(page(2))
            runCurrent()
            observer.current.shown() shouldBe "SUCCESS/FETCHING/page1-call-1/0/placeholder"
            client.getQueryState<String>(queryKey("page", 2))!!.hasData shouldBe false
            advanceTimeBy(100.milliseconds)
            runCurrent()

            states.map { it.shown() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/page1-call-1/0",
                "SUCCESS/FETCHING/page1-call-1/0/placeholder",
                "SUCCESS/IDLE/page2-call-2/0",
            )
            client.close()
        }
    }

    test("setOptions to another key without keepPreviousData shows PENDING with no data") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "call-$it" }
            fun page(n: Int) = QueryOptions(queryKey("page", n), { "page$n-" + fetcher() })
            val observer = client.watch(page(1))
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            observer.setOptions(page(2))
            runCurrent()
            observer.current.shown() shouldBe "PENDING/FETCHING/null/0"
            advanceTimeBy(100.milliseconds)
            runCurrent()

            states.map { it.shown() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/page1-call-1/0",
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/page2-call-2/0",
            )
            client.close()
        }
    }

    test("kept previous data is only for the switch: once the new key has data, older pages never come back") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "call-$it" }
            fun page(n: Int) = QueryOptions(queryKey("page", n), { "page$n-" + fetcher() }, keepPreviousData = true)
            val observer = client.watch(page(1))
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            observer.setOptions(page(2))
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            states.last().shown() shouldBe "SUCCESS/IDLE/page2-call-2/0"
            val seenBefore = states.size

            client.resetQueries(queryKey("page", 2)) // page 2 loses its data and refetches
            runCurrent()
            val afterReset = states.drop(seenBefore).map { it.shown() }
            afterReset.filter { "page1" in it } shouldBe emptyList() // page 1's data is long gone from view
            afterReset.last() shouldBe "SUCCESS/IDLE/page2-call-3/0"
            client.close()
        }
    }

    test("setOptions switching enabled from false to true on the same key fetches") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val disabled = QueryOptions(key, { fetcher() }, enabled = false)
            val observer = client.watch(disabled)
            val (states, _) = observer.record()
            runCurrent()
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 0

            observer.setOptions(QueryOptions(key, { fetcher() }, enabled = true))
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1
            states.map { it.shown() } shouldBe listOf(
                "IDLE/IDLE/null/0",
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
            )
            client.close()
        }
    }

    test(
        "enabled is per observer: a disabled observer attached later does not stop invalidation refetching an enabled one",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val enabled = client.watch(QueryOptions(key, { fetcher() }))
            val (states, _) = enabled.record()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            val disabled = client.watch(QueryOptions(key, { fetcher() }, enabled = false))
            disabled.record()
            runCurrent()

            client.invalidateQueries(key)
            runCurrent()
            states.map { it.shown() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/IDLE/v1/0/invalidated",
                "SUCCESS/FETCHING/v1/0/invalidated",
                "SUCCESS/IDLE/v2/0",
            )
            fetcher.calls shouldBe 2
            client.close()
        }
    }
})
