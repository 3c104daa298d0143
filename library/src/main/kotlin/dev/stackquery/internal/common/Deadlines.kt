@file:JvmName("Deadlines")

package dev.stackquery.internal.common

import kotlin.time.Duration

/**
 * `a + b`, saturating at [Long.MAX_VALUE] on overflow (and at [Long.MIN_VALUE] below): the sum
 * behind every deadline, where an infinite or huge duration must mean "never", not a time in the
 * past. Pure; thread-safe.
 */
@InternalStackQueryApi
public fun saturatedAdd(a: Long, b: Long): Long {
    val sum = a + b
    if (((a xor sum) and (b xor sum)) >= 0) return sum
    return if (a < 0) Long.MIN_VALUE else Long.MAX_VALUE
}

/**
 * The clock time (epoch milliseconds) at which an entry written at [now] with [ttl] expires:
 * [Long.MAX_VALUE] ("never") for a `null` or infinite [ttl] or one that overflows. A zero or
 * negative [ttl] gives a time at or before [now], so the entry reads as already expired.
 */
@InternalStackQueryApi
public fun expiresAt(now: Long, ttl: Duration?): Long =
    if (ttl == null || ttl.isInfinite()) Long.MAX_VALUE else saturatedAdd(now, ttl.inWholeMilliseconds)
