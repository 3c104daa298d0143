package dev.stackquery.internal.retry

import dev.stackquery.RetryPolicy

/** A hand-written policy: answers from [retry] and [delay], counting its calls; either may throw. */
internal class FakeRetryPolicy(
    val retry: (Int, Throwable) -> Boolean = { _, _ -> true },
    val delay: (Int, Throwable) -> Long = { n, _ -> n * 10L },
) : RetryPolicy {
    val shouldRetryCalls = mutableListOf<Int>()
    val delayCalls = mutableListOf<Int>()

    override fun shouldRetry(failureCount: Int, error: Throwable): Boolean {
        shouldRetryCalls += failureCount
        return retry(failureCount, error)
    }

    override fun delayMillis(failureCount: Int, error: Throwable): Long {
        delayCalls += failureCount
        return delay(failureCount, error)
    }
}
