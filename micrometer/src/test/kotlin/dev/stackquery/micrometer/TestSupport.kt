package dev.stackquery.micrometer

import dev.stackquery.OnlineManager
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.RetryPolicy
import dev.stackquery.storage.StorageBackend
import io.micrometer.core.instrument.Clock
import io.micrometer.core.instrument.FunctionCounter
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.Timer
import io.micrometer.core.instrument.simple.SimpleConfig
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.math.roundToLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

// Copied from the core's test support (library/src/test/kotlin/dev/stackquery/TestSupport.kt):
// test classes are not shared between modules.

/** Advances virtual time by [time] (1 s by default) and runs the tasks due then too: the client settles. */
internal fun TestScope.settle(time: Duration = 1.seconds) {
    advanceTimeBy(time)
    runCurrent()
}

/** A client on the test's virtual clock and dispatcher; retries off unless asked for. */
internal fun TestScope.testClient(
    staleTime: Duration = Duration.ZERO,
    gcTime: Duration = 5.minutes,
    retry: Int = 0,
    retryPolicy: RetryPolicy = RetryPolicy.DEFAULT,
    cacheMaxSize: Int = 1000,
    storage: StorageBackend? = null,
    onlineManager: OnlineManager = OnlineManager.ALWAYS_ONLINE,
): QueryClient = QueryClient(
    QueryClientConfig(
        staleTime = staleTime,
        gcTime = gcTime,
        retry = retry,
        retryPolicy = retryPolicy,
        cacheMaxSize = cacheMaxSize,
        clock = QueryClock { testScheduler.currentTime },
        coroutineContext = StandardTestDispatcher(testScheduler),
        storage = storage,
        onlineManager = onlineManager,
    ),
)

/**
 * A hand-written query function: counts calls, waits [latency] (virtual time), then returns
 * `results(callNumber)` (1-based) or throws what it throws. Thread-safe.
 */
internal class FakeFetcher<T>(
    private val latency: Duration = 100.milliseconds,
    private val results: (Int) -> T,
) {
    private val counter = AtomicInteger()
    val calls: Int get() = counter.get()

    suspend operator fun invoke(): T {
        val call = counter.incrementAndGet()
        delay(latency)
        return results(call)
    }
}

// This module's own helpers.

/** A registry whose clock is the test's virtual time, so timers measure virtual durations exactly. */
internal fun TestScope.virtualRegistry(): SimpleMeterRegistry = SimpleMeterRegistry(
    SimpleConfig.DEFAULT,
    object : Clock {
        override fun wallTime(): Long = testScheduler.currentTime

        override fun monotonicTime(): Long = TimeUnit.MILLISECONDS.toNanos(testScheduler.currentTime)
    },
)

/** The count of the function counter [name] with [tags] (key-value pairs); fails when it is missing. */
internal fun MeterRegistry.count(name: String, vararg tags: String): Long =
    get(name).tags(*tags).functionCounter().count().toLong()

/** The value of the gauge [name] with [tags]; fails when it is missing. */
internal fun MeterRegistry.gaugeValue(name: String, vararg tags: String): Double = get(name).tags(*tags).gauge().value()

/** The fetch-duration timers as `reason/outcome` (plus `/key` when tagged) to `count x total ms`. */
internal fun MeterRegistry.fetchTimers(): Map<String, String> = find("stackquery.fetch.duration").timers().associate {
    val id = listOfNotNull(it.id.getTag("reason"), it.id.getTag("outcome"), it.id.getTag("key")).joinToString("/")
    id to "${it.count()} x ${it.totalTime(TimeUnit.MILLISECONDS).roundToLong()} ms"
}

/** Every function counter named [name], for checking there are none. */
internal fun MeterRegistry.functionCounters(name: String): Collection<FunctionCounter> = find(name).functionCounters()

/** Every timer named [name]. */
internal fun MeterRegistry.timers(name: String): Collection<Timer> = find(name).timers()
