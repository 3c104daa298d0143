package dev.stackquery

import dev.stackquery.internal.durationMillis
import kotlin.random.Random
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * Decides whether a failed attempt is tried again and how long to wait first.
 *
 * A query makes at most `retry + 1` attempts (`retry` from [QueryOptions.retry] or
 * [QueryClientConfig.retry]); the policy is consulted after each failed attempt that still has
 * attempts left. [shouldRetry] can stop early (say, for a 4xx error); [delayMillis] gives the
 * wait. Waiting is a coroutine `delay` in the client's scope, so it runs in virtual time under
 * kotlinx-coroutines-test, and cancelling the fetch cancels the wait.
 *
 * Only failures of the query function are retried: cancellation never is, and exceptions thrown
 * by `onSuccess`/`onError`/`onSettled` callbacks never cause a retry.
 *
 * Implementations must be thread-safe. The default is [DEFAULT]: `min(1s * 2^(n-1), 30s)` after
 * failure `n` (1 s, 2 s, 4 s, … 30 s), no jitter, every error retried.
 */
public interface RetryPolicy {
    /**
     * Whether to try again after the [failureCount]-th failed attempt (1-based) failed with
     * [error]. Called only while attempts remain. The default retries every error.
     */
    public fun shouldRetry(failureCount: Int, error: Throwable): Boolean = true

    /** Milliseconds to wait after the [failureCount]-th failed attempt (1-based); negative counts as 0. */
    public fun delayMillis(failureCount: Int, error: Throwable): Long

    /** A predicate on a failed attempt, for [exponential]. */
    public fun interface RetryPredicate {
        /** True to retry after the [failureCount]-th failed attempt (1-based) with [error]. */
        public fun test(failureCount: Int, error: Throwable): Boolean
    }

    public companion object {
        /** `min(1s * 2^(n-1), 30s)`, no jitter, every error retried. */
        @JvmField
        public val DEFAULT: RetryPolicy = exponential()

        /**
         * Exponential backoff: after failure `n` wait `min(initialDelay * 2^(n-1), maxDelay)`, then
         * subtract a random part of up to [jitter] of it (`0.0` none, `1.0` "full jitter"), and retry
         * only errors [retryOn] accepts.
         *
         * @throws IllegalArgumentException if a delay is negative, [maxDelay] < [initialDelay], or
         *   [jitter] is outside `0.0..1.0`.
         */
        @JvmSynthetic
        public fun exponential(
            initialDelay: Duration = 1.seconds,
            maxDelay: Duration = 30.seconds,
            jitter: Double = 0.0,
            retryOn: RetryPredicate = RetryPredicate { _, _ -> true },
        ): RetryPolicy = ExponentialBackoff(
            durationMillis(initialDelay, "initialDelay"),
            durationMillis(maxDelay, "maxDelay"),
            jitter,
            retryOn,
        )

        /** Java form of [exponential] taking [java.time.Duration]s. */
        @JvmStatic
        public fun exponential(
            initialDelay: java.time.Duration,
            maxDelay: java.time.Duration,
            jitter: Double,
            retryOn: RetryPredicate,
        ): RetryPolicy = exponential(initialDelay.toKotlinDuration(), maxDelay.toKotlinDuration(), jitter, retryOn)

        /** Java form of [exponential] with no jitter, every error retried. */
        @JvmStatic
        public fun exponential(initialDelay: java.time.Duration, maxDelay: java.time.Duration): RetryPolicy =
            exponential(initialDelay.toKotlinDuration(), maxDelay.toKotlinDuration())

        /**
         * Never retries, whatever the `retry` count: the first failure is final. Use it where the
         * count comes from elsewhere (the client's default) and this query must not retry.
         */
        @JvmField
        public val NONE: RetryPolicy = object : RetryPolicy {
            override fun shouldRetry(failureCount: Int, error: Throwable): Boolean = false

            override fun delayMillis(failureCount: Int, error: Throwable): Long = 0

            override fun toString(): String = "RetryPolicy.NONE"
        }

        /** A fixed wait of [delay] between attempts, every error retried. */
        @JvmSynthetic
        public fun fixed(delay: Duration): RetryPolicy = exponential(delay.also { durationMillis(it, "delay") }, delay)

        /** Java form of [fixed]. */
        @JvmStatic
        public fun fixed(delay: java.time.Duration): RetryPolicy = fixed(delay.toKotlinDuration())
    }
}

private class ExponentialBackoff(
    private val initialMillis: Long,
    private val maxMillis: Long,
    private val jitter: Double,
    private val retryOn: RetryPolicy.RetryPredicate,
) : RetryPolicy {
    init {
        require(maxMillis >= initialMillis) { "maxDelay ($maxMillis ms) must be >= initialDelay ($initialMillis ms)" }
        require(jitter in 0.0..1.0) { "jitter must be within 0.0..1.0, was $jitter" }
    }

    override fun shouldRetry(failureCount: Int, error: Throwable): Boolean = retryOn.test(failureCount, error)

    override fun delayMillis(failureCount: Int, error: Throwable): Long {
        val shift = (failureCount - 1).coerceAtLeast(0)
        val base = if (shift >= 62 || initialMillis > (maxMillis shr shift)) maxMillis else initialMillis shl shift
        if (jitter == 0.0 || base == 0L) return base
        return base - (base * jitter * Random.nextDouble()).toLong()
    }

    override fun toString(): String =
        "RetryPolicy.exponential(initialDelay=${initialMillis}ms, maxDelay=${maxMillis}ms, jitter=$jitter)"
}
