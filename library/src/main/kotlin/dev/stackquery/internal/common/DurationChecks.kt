@file:JvmName("DurationChecks")

package dev.stackquery.internal.common

import kotlin.time.Duration

/**
 * [duration] if it is positive and finite; otherwise an [IllegalArgumentException]
 * `"<field> must be positive and finite, was <duration>"`. For timeouts and intervals, where zero
 * or infinity is a configuration mistake.
 */
@InternalStackQueryApi
public fun requirePositiveFinite(duration: Duration, field: String): Duration {
    require(duration.isPositive() && duration.isFinite()) { "$field must be positive and finite, was $duration" }
    return duration
}
