package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** The observer and fetch events of [key], as `Kind(detail)`. */
private fun List<QueryCacheEvent>.observerAndFetchEvents(key: QueryKey): List<String> = filter { it.queryKey == key }
    .mapNotNull {
        when (it) {
            is QueryCacheEvent.ObserverAdded -> "ObserverAdded(${it.observerCount})"
            is QueryCacheEvent.ObserverRemoved -> "ObserverRemoved(${it.observerCount})"
            is QueryCacheEvent.FetchStarted -> "FetchStarted(${it.reason})"
            else -> null
        }
    }

class QueryInspectionSpec : FunSpec({
    test(
        "queries(filter) snapshots each selected query, sorted by key text, with its options summary and gc deadline",
    ) {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            client.fetchQuery(
                QueryOptions(
                    queryKey("user", 2),
                    queryFn = { "grace" },
                    staleTime = 30.seconds,
                    gcTime = 10.minutes,
                    meta = mapOf("screen" to "profile"),
                ),
            )
            val fetchedAt = currentTime
            client.setQueryData(queryKey("user", 1), "ada")
            client.setQueryData(queryKey("post", 1), "hello")
            val observer = client.watch(QueryOptions(queryKey("user", 3), queryFn = { "linus" }))
            val subscription = observer.subscribe { }
            settle()

            val users = client.queries(queryKey("user"))
            users.map { it.queryKey } shouldBe listOf(queryKey("user", 1), queryKey("user", 2), queryKey("user", 3))
            val (made, fetched, observed) = users
            made.hasQueryFunction shouldBe false
            made.enabled shouldBe false
            made.lastFetchReason shouldBe null
            made.meta shouldBe emptyMap()
            made.gcTimeMillis shouldBe 5.minutes.inWholeMilliseconds
            made.gcDeadline shouldBe fetchedAt + 5.minutes.inWholeMilliseconds
            fetched.state.data shouldBe "grace"
            fetched.hasQueryFunction shouldBe true
            fetched.enabled shouldBe true
            fetched.staleTime shouldBe StaleTime.ofMillis(30_000)
            fetched.gcTimeMillis shouldBe 10.minutes.inWholeMilliseconds
            fetched.gcDeadline shouldBe fetchedAt + 10.minutes.inWholeMilliseconds
            fetched.meta shouldBe mapOf("screen" to "profile")
            fetched.lastFetchReason shouldBe FetchReason.FETCH
            fetched.observerCount shouldBe 0
            fetched.isActive shouldBe false
            fetched.isPersisted shouldBe false
            observed.observerCount shouldBe 1
            observed.isActive shouldBe true
            observed.gcDeadline shouldBe null
            observed.lastFetchReason shouldBe FetchReason.OBSERVER_ATTACHED
            client.queries().size shouldBe 4
            client.queries(QueryFilter(type = QueryFilter.Type.ACTIVE)).map { it.queryKey } shouldBe
                listOf(queryKey("user", 3))
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a snapshot shows staleness as of now, not as of the last change") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(queryKey("clock"), queryFn = { "tick" }, staleTime = 10.seconds))
            client.queries().single().state.isStale shouldBe false
            settle(11.seconds)
            client.queries().single().state.isStale shouldBe true
            client.close()
        }
    }

    test("observers added and removed are events, with the count after the change") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            val options = QueryOptions(queryKey("todos"), queryFn = { "list" }, staleTime = 1.minutes)
            val first = client.watch(options).subscribe { }
            settle()
            val second = client.watch(options).subscribe { }
            settle()
            first.unsubscribe()
            second.unsubscribe()
            events.observerAndFetchEvents(queryKey("todos")) shouldBe listOf(
                "ObserverAdded(1)",
                "FetchStarted(OBSERVER_ATTACHED)",
                "ObserverAdded(2)", // fresh data: the second observer starts no fetch
                "ObserverRemoved(1)",
                "ObserverRemoved(0)",
            )
            client.close()
        }
    }

    test("every fetch names why it started") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            val key = queryKey("feed")
            val options = QueryOptions(key, queryFn = { "items" }, refetchInterval = 1.seconds)
            client.fetchQuery(options)
            client.prefetchQuery(options)
            val observer = client.watch(options)
            val subscription = observer.subscribe { }
            settle(100.milliseconds) // the attach refetches the stale data
            settle(1.seconds) // a poll
            observer.refetch()
            client.invalidateQueries(key)
            client.refetchQueries(key)
            client.resetQueries(key)
            subscription.unsubscribe()
            runCurrent()
            events.observerAndFetchEvents(key).filter { it.startsWith("FetchStarted") } shouldBe listOf(
                "FetchStarted(FETCH)",
                "FetchStarted(PREFETCH)",
                "FetchStarted(OBSERVER_ATTACHED)",
                "FetchStarted(POLL)",
                "FetchStarted(OBSERVER_REFETCH)",
                "FetchStarted(INVALIDATE)",
                "FetchStarted(REFETCH)",
                "FetchStarted(RESET)",
            )
            client.close()
        }
    }
})
