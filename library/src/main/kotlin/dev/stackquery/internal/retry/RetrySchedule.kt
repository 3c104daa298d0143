package dev.stackquery.internal.retry

import dev.stackquery.RetryPolicy
import dev.stackquery.internal.isFatal

/**
 * When to try again after a failure: the delay before the next attempt in ms, or `null` to give
 * up. [failures] counts the failed attempts so far (1 after the first).
 */
internal fun interface RetrySchedule {
    fun nextDelayMillis(failures: Int, error: Throwable): Long?

    companion object {
        /**
         * At most [retries] retries, as [policy] decides. A policy that throws (anything but a
         * fatal error: a `NotImplementedError` too) is reported to [onPolicyFailure] and
         * counts as "do not retry" (from `shouldRetry`) or "retry at once" (from `delayMillis`):
         * a broken policy never replaces the failure it was asked about.
         */
        fun of(retries: Int, policy: RetryPolicy, onPolicyFailure: (Throwable) -> Unit): RetrySchedule =
            RetrySchedule { failures, error ->
                val retry = failures <= retries && try {
                    policy.shouldRetry(failures, error)
                } catch (e: Throwable) {
                    if (e.isFatal()) throw e
                    onPolicyFailure(e)
                    false
                }
                if (!retry) {
                    null
                } else {
                    try {
                        policy.delayMillis(failures, error).coerceAtLeast(0)
                    } catch (e: Throwable) {
                        if (e.isFatal()) throw e
                        onPolicyFailure(e)
                        0L
                    }
                }
            }

        /**
         * Exponential backoff for background work: [baseMillis] doubled after each failure up to
         * [maxMillis]; gives up after [retries] retries ([Int.MAX_VALUE]: never).
         */
        fun backoff(baseMillis: Long, maxMillis: Long, retries: Int = Int.MAX_VALUE): RetrySchedule =
            RetrySchedule { failures, _ ->
                if (failures >
                    retries
                ) {
                    null
                } else {
                    (baseMillis shl (failures - 1).coerceAtMost(20)).coerceAtMost(maxMillis)
                }
            }
    }
}
