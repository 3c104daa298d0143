package dev.stackquery.internal.query

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/**
 * A query's polling: one coroutine that calls [tick] every period while the period is positive.
 * Not thread-safe: the query's monitor guards it. [tick] returns false to stop for good.
 */
internal class Poller(private val scope: CoroutineScope, private val tick: () -> Boolean) {
    private var job: Job? = null
    private var intervalMillis = 0L // 0 = not polling

    /** Polls every [interval] ms from now on (0: stops); a change of period restarts the wait. */
    fun update(interval: Long) {
        if (interval == intervalMillis) return
        job?.cancel()
        intervalMillis = interval
        job = if (interval == 0L) {
            null
        } else {
            scope.launch {
                while (true) {
                    delay(interval)
                    if (!tick()) return@launch
                }
            }
        }
    }

    fun stop() = update(0)
}
