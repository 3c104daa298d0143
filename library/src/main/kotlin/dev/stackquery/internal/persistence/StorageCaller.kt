package dev.stackquery.internal.persistence

import dev.stackquery.internal.isFatal
import dev.stackquery.storage.StorageKeyRejectedException
import dev.stackquery.storage.StorageUnavailableException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.isActive
import kotlinx.coroutines.withTimeoutOrNull

/**
 * Calls a storage, bounded by [timeoutMillis], reporting each outcome to the [breaker] and the
 * [counters]: a failure (any throwable but a fatal one, see [isFatal]) or timeout is counted,
 * logged (rate-limited) and thrown as [StorageFailure]; the caller's own cancellation is rethrown
 * as is. The call runs in its own
 * coroutine in [scope], dispatched, so the caller stops waiting after the timeout whatever the
 * storage does, even when it blocks its thread.
 */
internal class StorageCaller(
    private val scope: CoroutineScope,
    private val timeoutMillis: Long,
    private val breaker: CircuitBreaker,
    private val counters: StorageCounters,
    private val log: StorageLog,
    private val coolDownText: String,
) {
    suspend fun <R> call(what: String, op: suspend () -> R): R {
        // Dispatched, not started on the caller's thread: a storage that blocks its thread
        // (JDBC called without a dispatcher) must not hold the caller past the timeout.
        val running = scope.async { op() }
        val outcome = try {
            withTimeoutOrNull(timeoutMillis) { Result.success(running.await()) }
        } catch (e: CancellationException) {
            running.cancel()
            if (!currentCoroutineContext().isActive) {
                breaker.release() // the caller went away: no outcome to report
                throw e
            }
            Result.failure(e) // the storage threw a CancellationException of its own
        } catch (e: Throwable) {
            if (e.isFatal()) throw e
            Result.failure(e) // an Error too (NotImplementedError, StackOverflowError): see isFatal
        }
        if (outcome == null) {
            running.cancel()
            counters.timeouts.increment()
            fail(what, StorageUnavailableException("storage $what timed out after ${timeoutMillis}ms"))
        }
        outcome.exceptionOrNull()?.let { if (it is StorageKeyRejectedException) reject(what, it) else fail(what, it) }
        breaker.onSuccess()
        return outcome.getOrThrow()
    }

    /** The storage answered, refusing one key: counted and logged, never held against the breaker. */
    private fun reject(what: String, error: StorageKeyRejectedException): Nothing {
        counters.errors.increment()
        breaker.onSuccess()
        log.warn(what, error)
        throw StorageFailure(error, permanent = true)
    }

    private fun fail(what: String, error: Throwable): Nothing {
        counters.errors.increment()
        val opened = breaker.onFailure()
        log.warn(what, error)
        if (opened) log.warn("storage failing: skipped for $coolDownText", null)
        throw StorageFailure(error)
    }
}

/**
 * A storage call that failed; already counted and logged. [permanent] when the storage rejected
 * the key ([StorageKeyRejectedException]): retrying cannot help.
 */
internal class StorageFailure(cause: Throwable, val permanent: Boolean = false) :
    Exception(cause.toString(), cause, false, false)
