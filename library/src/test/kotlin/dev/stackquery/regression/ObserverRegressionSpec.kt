package dev.stackquery.regression

import dev.stackquery.FakeFetcher
import dev.stackquery.QueryClient
import dev.stackquery.QueryOptions
import dev.stackquery.brief
import dev.stackquery.query
import dev.stackquery.queryKey
import dev.stackquery.testClient
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.Collections
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.minutes

/** Regressions found in review of the observers. */
class ObserverRegressionSpec : FunSpec({
    val key = queryKey("user", 1)

    test("observers see the background refetch that fetchQuery starts for stale data") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            val seen = mutableListOf<String>()
            val subscription = client.watch(options).subscribe { seen += it.brief() + if (it.isStale) "/stale" else "" }
            advanceTimeBy(2.minutes)
            runCurrent()
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            seen shouldBe listOf(
                "PENDING/FETCHING/null/0/stale",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/IDLE/v1/0/stale", // a minute after the fetch: the observer says its data turned stale
                "SUCCESS/FETCHING/v1/0/stale",
            )
            subscription.close()
            client.close()
        }
    }

    test("a new subscriber never receives a state older than one it already received") {
        val client = QueryClient()
        client.setQueryData(key, 0)
        val observer = client.watch(QueryOptions(key, { -1 }, enabled = false))
        val keepAttached = observer.subscribe {}
        val stop = AtomicBoolean()
        val writer = thread { var i = 1; while (!stop.get()) client.setQueryData(key, i++) }
        var outOfOrder: List<Int>? = null
        try {
            for (round in 1..20_000) {
                val received = Collections.synchronizedList(mutableListOf<Int>())
                observer.subscribe({ received += it.data!! }, Executor { it.run() }).close()
                val copy = synchronized(received) { received.toList() }
                if (copy.zipWithNext().any { (a, b) -> b <= a }) {
                    outOfOrder = copy
                    break
                }
            }
        } finally {
            stop.set(true)
            writer.join()
        }
        outOfOrder shouldBe null
        keepAttached.close()
        client.close()
    }

    test("an Error thrown by select does not freeze the observer") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "a")
            val observer = client.watch(QueryOptions(key, { "x" }, enabled = false)) {
                if (it == "boom") throw StackOverflowError() else it
            }
            val subscription = observer.subscribe {}
            shouldThrow<StackOverflowError> { client.setQueryData(key, "boom") }
            client.setQueryData(key, "b")
            observer.current.data shouldBe "b"
            subscription.close()
            client.close()
        }
    }

    test("an Error thrown by the first delivery leaves the query inactive") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "a")
            val observer = client.watch(QueryOptions(key, { "x" }, enabled = false))
            shouldThrow<StackOverflowError> { observer.subscribe { throw StackOverflowError() } }
            client.query<String>(key).isActive shouldBe false
            client.close()
        }
    }
})
