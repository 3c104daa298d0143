package dev.stackquery.internal

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive

/**
 * What [thrown], caught from the user function [what], means for the running coroutine: rethrows
 * our own cancellation; otherwise returns the failure, wrapping a `CancellationException` (a
 * `withTimeout` inside the function, say), which rethrown as is would silently end callers.
 */
internal suspend fun failureOf(thrown: Throwable, what: String): Throwable {
    currentCoroutineContext().ensureActive()
    return if (thrown is CancellationException) {
        IllegalStateException("$what threw a CancellationException", thrown)
    } else {
        thrown
    }
}

/**
 * True for the errors after which nothing should be attempted: a [VirtualMachineError]
 * (`OutOfMemoryError`, `InternalError`…) other than [StackOverflowError], which only unwinds the
 * call that overflowed (a codec recursing into a cyclic object, say). Every other throwable from
 * a storage or a codec, an `Error` such as `NotImplementedError` included, is a counted failure.
 */
internal fun Throwable.isFatal(): Boolean = this is VirtualMachineError && this !is StackOverflowError

/**
 * Runs [block], a user callback (`onSuccess`, a listener, …): its exceptions are reported to
 * [onFailure] and change nothing; a `VirtualMachineError` propagates.
 */
internal inline fun guardCallback(block: () -> Unit, onFailure: (Throwable) -> Unit) {
    try {
        block()
    } catch (e: Throwable) {
        if (e is VirtualMachineError) throw e
        onFailure(e)
    }
}
