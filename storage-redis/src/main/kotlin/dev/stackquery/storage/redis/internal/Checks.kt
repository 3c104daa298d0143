package dev.stackquery.storage.redis.internal

import kotlin.time.Duration

/** [timeout] if it is positive and finite; otherwise an [IllegalArgumentException] naming [field]. */
internal fun checkTimeout(timeout: Duration, field: String): Duration {
    require(timeout.isPositive() && timeout.isFinite()) { "$field must be positive and finite, was $timeout" }
    return timeout
}
