@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.persistence

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.RateLimitedLog
import org.slf4j.Logger

/** The L2 tier's warnings: at most one a minute of clock time ([RateLimitedLog]), saying how many were suppressed. */
internal class StorageLog(private val log: Logger, clock: QueryClock, private val prefix: String) {
    private val limit = RateLimitedLog(60_000, clock)

    /** Logs "[what] failed: [error]" ([what] alone without an error), unless one was logged too recently. */
    fun warn(what: String, error: Throwable?) {
        val suppressed = limit.admit() ?: return
        log.warn(
            "{}: {}{}",
            prefix,
            if (error == null) what else "$what failed: $error",
            RateLimitedLog.suppressedNote(suppressed),
        )
    }
}
