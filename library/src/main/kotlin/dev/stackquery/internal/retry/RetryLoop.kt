package dev.stackquery.internal.retry

import kotlinx.coroutines.delay

/**
 * The one retry loop of the engine (query fetches, mutations, the L2 writer, the sync publisher):
 * runs [attempt] until it returns, waiting as [schedule] says between failures.
 *
 * - [failure] turns what an attempt threw into the failure to schedule on; it rethrows what must
 *   not be retried (the caller's own cancellation, an `Error`).
 * - [onRetry] is told each failure that will be retried, with the failure count, before the wait.
 * - [giveUp] is called with the count and the last failure when [schedule] says stop; it throws
 *   or returns the loop's result.
 * - the wait between attempts is `delay`, so virtual time drives it.
 */
internal suspend inline fun <R> retrying(
    schedule: RetrySchedule,
    failure: (Throwable) -> Throwable,
    onRetry: (failures: Int, error: Throwable) -> Unit,
    giveUp: (failures: Int, error: Throwable) -> R,
    attempt: (attempt: Int) -> R,
): R = retrying(schedule, failure, onRetry, giveUp, sleep = { delay(it) }, attempt = attempt)

/**
 * [retrying] with [sleep] to wait between attempts instead of `delay` (to wait for a wake-up too,
 * say), and [stopped], asked after a failure and after the wait: true gives up with that failure.
 */
internal suspend inline fun <R> retrying(
    schedule: RetrySchedule,
    failure: (Throwable) -> Throwable,
    onRetry: (failures: Int, error: Throwable) -> Unit,
    giveUp: (failures: Int, error: Throwable) -> R,
    sleep: suspend (Long) -> Unit,
    stopped: () -> Boolean = { false },
    attempt: (attempt: Int) -> R,
): R {
    var failures = 0
    while (true) {
        val error = try {
            return attempt(failures)
        } catch (thrown: Throwable) {
            failure(thrown)
        }
        failures++
        if (stopped()) return giveUp(failures, error)
        val wait = schedule.nextDelayMillis(failures, error) ?: return giveUp(failures, error)
        onRetry(failures, error)
        sleep(wait)
        if (stopped()) return giveUp(failures, error)
    }
}
