@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.persistence

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.saturatedAdd

/**
 * Stops calling a failing storage: after [threshold] consecutive failures it opens for
 * [coolDownMillis] (clock time), during which [tryAcquire] refuses; then it lets one probe through
 * (half-open). The probe's success closes it; its failure opens it again. Thread-safe.
 */
internal class CircuitBreaker(
    private val threshold: Int,
    private val coolDownMillis: Long,
    private val clock: QueryClock,
) {
    private var failures = 0 // guarded by this
    private var openUntil = Long.MIN_VALUE // guarded by this; MIN_VALUE: closed
    private var probing = false // guarded by this

    /** Whether the breaker is open (calls skipped) or waiting for its probe. */
    val isOpen: Boolean @Synchronized get() = openUntil != Long.MIN_VALUE

    /** Whether a call may go to the storage now (false while open, or while the probe runs). */
    @Synchronized
    fun tryAcquire(): Boolean {
        if (openUntil == Long.MIN_VALUE) return true
        if (probing || clock.nowMillis() < openUntil) return false
        probing = true
        return true
    }

    /** Clock milliseconds until a probe may go (0 when one may go now or the breaker is closed). */
    @Synchronized
    fun millisUntilProbe(): Long =
        if (openUntil == Long.MIN_VALUE || probing) 0 else (openUntil - clock.nowMillis()).coerceAtLeast(0)

    /** The call [tryAcquire] allowed ended without an outcome (its caller was cancelled). */
    @Synchronized
    fun release() {
        probing = false
    }

    @Synchronized
    fun onSuccess() {
        failures = 0
        openUntil = Long.MIN_VALUE
        probing = false
    }

    /** Records a failure; true when it (re)opened the breaker. */
    @Synchronized
    fun onFailure(): Boolean {
        failures++
        if (!probing && failures < threshold) return false
        probing = false
        openUntil = saturatedAdd(clock.nowMillis(), coolDownMillis)
        return true
    }
}
