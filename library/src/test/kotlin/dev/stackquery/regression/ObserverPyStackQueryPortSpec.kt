package dev.stackquery.regression

import dev.stackquery.FakeFetcher
import dev.stackquery.QueryOptions
import dev.stackquery.brief
import dev.stackquery.query
import dev.stackquery.queryKey
import dev.stackquery.testClient
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * The intent of PyStackQuery's observer tests (reference §14, tests 13–15), with their flaws fixed:
 * virtual time instead of sleeps, exact state sequences instead of "saw a SUCCESS somewhere" or
 * "at least 3", and the observer bugs of reference §16 (#12 re-subscribe, #13 polling, #17 the
 * unguarded first push, #18 weak observers) checked where each test touches them.
 */
class ObserverPyStackQueryPortSpec : FunSpec({
    test("test_observer_basic: the listener sees exactly PENDING then SUCCESS, and nothing after unsubscribing") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "hello" }
            val observer = client.watch(QueryOptions(queryKey("basic"), { fetcher() }))
            val states = mutableListOf<String>()
            val subscription = observer.subscribe { states += it.brief() }
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            subscription.unsubscribe()

            states shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/hello/0")
            observer.current.data shouldBe "hello"
            client.query<String>(queryKey("basic")).observerCount shouldBe 0
            client.setQueryData(queryKey("basic"), "changed")
            runCurrent()
            states shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/hello/0")
            client.close()
        }
    }

    test(
        "test_observer_basic, re-subscribed: an observer subscribed again after a full unsubscribe gets updates again",
    ) {
        runTest {
            val client = testClient(staleTime = 1.seconds)
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(queryKey("basic"), { fetcher() }))
            observer.subscribe {}.unsubscribe()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            val states = mutableListOf<String>()
            val again = observer.subscribe { states += it.brief() } // fresh data: no fetch
            client.query<String>(queryKey("basic")).observerCount shouldBe 1
            client.setQueryData(queryKey("basic"), "written")
            runCurrent()
            states shouldBe listOf("SUCCESS/IDLE/v1/0", "SUCCESS/IDLE/written/0")
            fetcher.calls shouldBe 1
            again.unsubscribe()
            client.close()
        }
    }

    test(
        "test_observer_basic, first push: a listener that throws on the first state neither breaks subscribe nor loses later states",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "hello" }
            val observer = client.watch(QueryOptions(queryKey("basic"), { fetcher() }))
            val states = mutableListOf<String>()
            val subscription = observer.subscribe {
                states += it.brief()
                if (states.size == 1) throw IllegalStateException("listener bug")
            }
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            subscription.isSubscribed shouldBe true
            states shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/hello/0")
            client.close()
        }
    }

    test(
        "test_observer_refetch_interval: a 100 ms interval over 350 ms fetches exactly 4 times, then stops on unsubscribe",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 10.milliseconds) { it }
            val observer = client.watch(
                QueryOptions(queryKey("interval"), {
                    fetcher()
                }, refetchInterval = 100.milliseconds),
            )
            val data = mutableListOf<Int>()
            val subscription = observer.subscribe { if (it.hasData && !it.isFetching) data += it.data!! }
            runCurrent()
            advanceTimeBy(350.milliseconds)
            runCurrent()
            data shouldBe listOf(1, 2, 3, 4)
            fetcher.calls shouldBe 4

            subscription.unsubscribe()
            advanceTimeBy(10.seconds)
            runCurrent()
            fetcher.calls shouldBe 4
            client.close()
        }
    }

    test("test_observer_refetch_interval, failing: a failed poll does not end polling") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 10.milliseconds) {
                if (it == 2) {
                    throw IllegalStateException("flaky")
                } else {
                    it
                }
            }
            val observer = client.watch(
                QueryOptions(queryKey("interval"), {
                    fetcher()
                }, refetchInterval = 100.milliseconds),
            )
            val settled = mutableListOf<String>()
            observer.subscribe { if (!it.isFetching) settled += it.brief() }
            runCurrent()
            advanceTimeBy(350.milliseconds)
            runCurrent()
            settled shouldBe listOf("SUCCESS/IDLE/1/0", "ERROR/IDLE/1/1", "SUCCESS/IDLE/3/0", "SUCCESS/IDLE/4/0")
            fetcher.calls shouldBe 4
            client.close()
        }
    }

    test(
        "test_observer_multiple_subscribers: two observers of the same options share one fetch and see the same sequence",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "shared" }
            val options = QueryOptions(queryKey("multi"), { fetcher() })
            val first = mutableListOf<String>()
            val second = mutableListOf<String>()
            client.watch(options).subscribe { first += it.brief() }
            client.watch(options).subscribe { second += it.brief() }
            // Neither observer nor subscription is kept: the client holds active observers strongly.
            System.gc()
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            fetcher.calls shouldBe 1
            first shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/shared/0")
            second shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/shared/0")
            client.query<String>(queryKey("multi")).observerCount shouldBe 2
            client.close()
        }
    }
})
