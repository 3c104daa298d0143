package dev.stackquery.internal.persistence

import dev.stackquery.QueryClock
import org.slf4j.Logger

/**
 * Logs a warning at most once per [intervalMillis] of clock time, saying how many were
 * suppressed since the last one. Thread-safe.
 */
internal class RateLimitedLog(
    private val log: Logger,
    private val clock: QueryClock,
    private val prefix: String,
    private val intervalMillis: Long = 60_000,
) {
    private var lastLogAt = Long.MIN_VALUE // guarded by this
    private var suppressed = 0 // guarded by this

    /** Logs "[what] failed: [error]" ([what] alone without an error), unless one was logged too recently. */
    fun warn(what: String, error: Throwable?) {
        val count = synchronized(this) {
            val now = clock.nowMillis()
            if (lastLogAt != Long.MIN_VALUE && now - lastLogAt < intervalMillis) {
                suppressed++
                return
            }
            lastLogAt = now
            suppressed.also { suppressed = 0 }
        }
        val more = if (count > 0) " ($count similar messages suppressed)" else ""
        log.warn("{}: {}{}", prefix, if (error == null) what else "$what failed: $error", more)
    }
}
