package dev.stackquery.testing

import dev.stackquery.QueryClock
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration

/**
 * A [QueryClock] that moves only when a test moves it: [nowMillis] returns the same instant until
 * [advanceBy] or [set] changes it. It starts at [DEFAULT_START_MILLIS] (November 2023) unless
 * given another epoch-millisecond start.
 *
 * Give it to whatever reads a clock — `QueryClientConfig(clock = …)`, `InMemoryStorage(clock)`,
 * `FileStorage`, a [StorageFixture] — and move time to make data stale or entries expire without
 * waiting. It only answers "what time is it": it does not run coroutine `delay`s (gc, retry
 * backoff, polling), which follow their dispatcher. For a client under coroutines-test virtual
 * time, read the scheduler instead (`QueryClock { testScheduler.currentTime }`); use a
 * `ManualClock` where only timestamps matter (storage expiry, staleness, `dataUpdatedAt`).
 *
 * Thread-safe: every read and move is atomic, and concurrent [advanceBy] calls add up.
 *
 * ```kotlin
 * val clock = ManualClock()
 * val storage = InMemoryStorage(clock)
 * storage.set("k", "v", 10.seconds)
 * clock.advanceBy(11.seconds)
 * storage.get("k") // null: expired
 * ```
 * ```java
 * ManualClock clock = new ManualClock();
 * clock.advanceBy(Duration.ofSeconds(11));
 * ```
 *
 * @param startMillis the instant [nowMillis] returns until the clock is moved, in epoch milliseconds.
 */
public class ManualClock @JvmOverloads public constructor(startMillis: Long = DEFAULT_START_MILLIS) : QueryClock {
    private val now = AtomicLong(startMillis)

    /** The clock's current instant in epoch milliseconds; it changes only through [advanceBy] and [set]. */
    override fun nowMillis(): Long = now.get()

    /**
     * Moves the clock forward by [duration], truncated to whole milliseconds, and returns the new
     * [nowMillis].
     *
     * @throws IllegalArgumentException when [duration] is negative or infinite (use [set] to move back).
     * @throws ArithmeticException when the new time would overflow a `Long`; the clock is then unchanged.
     */
    public fun advanceBy(duration: Duration): Long {
        require(!duration.isNegative() && duration.isFinite()) {
            "duration must be finite and not negative, was $duration"
        }
        return advanceByMillis(duration.inWholeMilliseconds)
    }

    /**
     * Moves the clock forward by [duration], truncated to whole milliseconds, and returns the new
     * [nowMillis]: the Java form of `advanceBy(kotlin.time.Duration)`.
     *
     * @throws IllegalArgumentException when [duration] is negative (use [set] to move back).
     * @throws ArithmeticException when the new time would overflow a `Long`; the clock is then unchanged.
     */
    public fun advanceBy(duration: java.time.Duration): Long {
        require(!duration.isNegative) { "duration must not be negative, was $duration" }
        return advanceByMillis(duration.toMillis())
    }

    /**
     * Sets the clock to [epochMillis], forward or backward (a clock stepped back by NTP, an entry
     * written "in the future"). What it does to data already timestamped is the reader's business.
     */
    public fun set(epochMillis: Long) {
        now.set(epochMillis)
    }

    private fun advanceByMillis(millis: Long): Long = now.updateAndGet { Math.addExact(it, millis) }

    override fun toString(): String = "ManualClock(${nowMillis()})"

    public companion object {
        /** Where a [ManualClock] starts by default: 1 700 000 000 000 ms, 2023-11-14T22:13:20Z. */
        public const val DEFAULT_START_MILLIS: Long = 1_700_000_000_000
    }
}
