package dev.stackquery.internal.common

import dev.stackquery.QueryClock

/**
 * Decides which of a stream of similar log messages (say, one per failed storage call) are
 * written: at most one per [intervalMillis] of [clock] time; the others are counted, and the next
 * message written says how many were left out. Deciding only, never logging: the caller logs
 * what [admit] lets through, so each module keeps its own logger and wording.
 *
 * ```kotlin
 * private val warnings = RateLimitedLog(60_000, clock)
 * val suppressed = warnings.admit() ?: return
 * log.warn("storage failed: {}{}", error, RateLimitedLog.suppressedNote(suppressed))
 * ```
 *
 * Time is the injected [clock] (a test's virtual clock in tests), not the system's. A clock that
 * goes backwards starts a new interval rather than silencing messages until it catches up.
 * Thread-safe; [admit] never blocks beyond a short lock and calls nothing of the caller's.
 *
 * @throws IllegalArgumentException when [intervalMillis] is not positive.
 */
@InternalStackQueryApi
public class RateLimitedLog(
    private val intervalMillis: Long,
    private val clock: QueryClock = QueryClock.SYSTEM,
) {
    private val lock = Any()
    private var lastAt = Long.MIN_VALUE // guarded by lock; MIN_VALUE: nothing written yet
    private var suppressed = 0 // guarded by lock

    init {
        require(intervalMillis > 0) { "intervalMillis must be positive, was $intervalMillis" }
    }

    /**
     * Whether a message now is written: `null` when one was admitted less than [intervalMillis]
     * ago (this one is counted as suppressed); otherwise how many were suppressed since the last
     * one admitted (`0` for none), and a new interval starts now.
     */
    public fun admit(): Int? = synchronized(lock) {
        val now = clock.nowMillis()
        val elapsed = now - lastAt
        if (lastAt != Long.MIN_VALUE && elapsed >= 0 && elapsed < intervalMillis) {
            suppressed++
            return null
        }
        val count = suppressed
        lastAt = now
        suppressed = 0
        count
    }

    public companion object {
        /** `" (N similar messages suppressed)"` for a positive [count], else `""`: the tail of an admitted message. */
        public fun suppressedNote(count: Int): String = if (count > 0) " ($count similar messages suppressed)" else ""
    }
}
