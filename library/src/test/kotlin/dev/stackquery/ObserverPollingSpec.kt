package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** A query function that records the virtual time of each call, waits [latency], and returns `results(call)`. */
private class TimedFetcher(
    private val scope: TestScope,
    private val latency: Duration = 100.milliseconds,
    private val results: (Int) -> String = { "v$it" },
) {
    val callTimes = java.util.Collections.synchronizedList(mutableListOf<Long>())

    suspend operator fun invoke(): String {
        callTimes += scope.currentTime
        val call = callTimes.size
        delay(latency)
        return results(call)
    }
}

class ObserverPollingSpec : FunSpec({
    val key = queryKey("poll")

    test("refetchInterval of 1 s with a 100 ms fetcher fetches on subscribe and then once per second") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this)
            val observer = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            val subscription = observer.subscribe {}
            runCurrent()
            advanceTimeBy(5.seconds)
            runCurrent()
            currentTime shouldBe 5_000
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L, 3_000L, 4_000L, 5_000L)
            advanceTimeBy(100.milliseconds)
            runCurrent()
            observer.current.brief() shouldBe "SUCCESS/IDLE/v6/0"
            subscription.unsubscribe()
            client.close()
        }
    }

    test("an infinite refetchInterval never polls and keeps no coroutine waiting for it") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this) { "v$it" }
            val plain = client.watch(QueryOptions(queryKey("plain"), { "p" })).subscribe { }
            runCurrent()
            val coroutinesWithoutPolling = client.engine.runtime.job.children.count()
            val infinite = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = Duration.INFINITE))
            val subscription = infinite.subscribe { }
            settle() // its first fetch (on subscribe) has settled
            client.engine.runtime.job.children.count() shouldBe coroutinesWithoutPolling
            advanceTimeBy(1_000.seconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L)
            subscription.unsubscribe()
            plain.unsubscribe()
            client.close()
        }
    }

    test("polling survives failed fetches: errors show in the state and later ticks fetch again") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this) {
                if (it == 2 || it == 3) {
                    throw IllegalStateException("down $it")
                } else {
                    "v$it"
                }
            }
            val observer = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            val states = mutableListOf<QueryState<String>>()
            observer.subscribe { states += it }
            runCurrent()
            advanceTimeBy(3_500.milliseconds)
            runCurrent()

            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L, 3_000L)
            states.map { it.brief() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/FETCHING/v1/0",
                "ERROR/IDLE/v1/1",
                "ERROR/FETCHING/v1/0",
                "ERROR/IDLE/v1/1",
                "ERROR/FETCHING/v1/0",
                "SUCCESS/IDLE/v4/0",
            )
            states[3].error!!.message shouldBe "down 2"
            states[5].error!!.message shouldBe "down 3"
            states[7].error shouldBe null
            client.close()
        }
    }

    test("polling stops when the last subscriber leaves, even for 10 s, and restarts on re-subscribe") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this)
            val observer = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            val first = observer.subscribe {}
            val second = observer.subscribe {}
            runCurrent()
            advanceTimeBy(2_500.milliseconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L)

            first.unsubscribe()
            advanceTimeBy(1.seconds) // one subscriber is left: still polling
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L, 3_000L)

            second.unsubscribe()
            advanceTimeBy(10.seconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L, 3_000L)

            currentTime shouldBe 13_500
            val again = observer.subscribe {} // stale data: fetch on subscribe, then poll again
            runCurrent()
            advanceTimeBy(2.seconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L, 3_000L, 13_500L, 14_500L, 15_500L)
            again.unsubscribe()
            client.close()
        }
    }

    test("two observers polling at 1 s and 300 ms poll at 300 ms, and at 1 s once the faster one leaves") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this)
            val slow = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            val fast = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 300.milliseconds))
            slow.subscribe {}
            val fastSubscription = fast.subscribe {}
            runCurrent()
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 300L, 600L, 900L)

            fastSubscription.unsubscribe()
            advanceTimeBy(2_500.milliseconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 300L, 600L, 900L, 2_000L, 3_000L)
            client.close()
        }
    }

    test("disabled observers do not poll, nor shorten an enabled observer's period") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this)
            val disabled = client.watch(
                QueryOptions(key, { fetcher() }, refetchInterval = 100.milliseconds, enabled = false),
            )
            disabled.subscribe {}
            runCurrent()
            advanceTimeBy(10.seconds)
            runCurrent()
            fetcher.callTimes shouldBe emptyList()
            disabled.current.brief() shouldBe "IDLE/IDLE/null/0"

            val enabled = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            enabled.subscribe {}
            runCurrent()
            advanceTimeBy(2_500.milliseconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(10_000L, 11_000L, 12_000L)
            client.close()
        }
    }

    test("polling stops when the client closes") {
        runTest {
            val client = testClient()
            val fetcher = TimedFetcher(this)
            val observer = client.watch(QueryOptions(key, { fetcher() }, refetchInterval = 1.seconds))
            observer.subscribe {}
            runCurrent()
            advanceTimeBy(2_500.milliseconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L)

            client.close()
            advanceTimeBy(10.seconds)
            runCurrent()
            fetcher.callTimes shouldBe listOf(0L, 1_000L, 2_000L)
        }
    }
})
