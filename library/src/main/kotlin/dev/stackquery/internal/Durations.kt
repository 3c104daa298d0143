package dev.stackquery.internal

import kotlin.time.Duration

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
