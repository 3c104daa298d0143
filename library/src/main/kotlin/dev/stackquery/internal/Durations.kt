package dev.stackquery.internal

import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/** Milliseconds of [duration] (infinite → [Long.MAX_VALUE]); rejects a negative one, naming [field]. */
internal fun durationMillis(duration: Duration, field: String): Long {
    require(!duration.isNegative()) { "$field must not be negative, was $duration" }
    return if (duration.isInfinite()) Long.MAX_VALUE else duration.inWholeMilliseconds
}

/** Milliseconds of [duration], which must be positive and finite; otherwise an [IllegalArgumentException] naming [field]. */
internal fun positiveMillis(duration: Duration, field: String): Long {
    require(duration.isPositive() && duration.isFinite()) { "$field must be positive and finite, was $duration" }
    return duration.inWholeMilliseconds.coerceAtLeast(1)
}

/** [retry] if it is a valid retry count (>= 0); otherwise an [IllegalArgumentException] naming the field. */
internal fun checkRetry(retry: Int): Int {
    require(retry >= 0) { "retry must be >= 0, was $retry" }
    return retry
}

/** [interval] if it is a valid polling period (positive; infinite: never); otherwise an [IllegalArgumentException]. */
internal fun checkRefetchInterval(interval: Duration): Duration {
    require(interval.isPositive()) { "refetchInterval must be positive, was $interval" }
    return interval
}

/** [interval], from Java, as a [checkRefetchInterval]ed Kotlin duration. */
internal fun checkRefetchInterval(interval: java.time.Duration): Duration =
    checkRefetchInterval(interval.toKotlinDuration())
