package dev.stackquery.internal

/**
 * What `QueryClient.noChange()` throws to end a `setQueryData` updater without a value: caught
 * where the engine runs updaters ([declinable]), so it only escapes when called elsewhere, with
 * this message. A `Throwable` but not an `Exception` (a `catch (e: Exception)` in the updater does
 * not swallow it), with no stack trace (cheap, and the same instance every time).
 */
internal object NoChange : Throwable(
    "QueryClient.noChange() was called outside a setQueryData updater",
    null,
    false,
    false,
) {
    private fun readResolve(): Any = NoChange
}

/** `updater(current)`, or [NoChange] itself when the updater declined (called `QueryClient.noChange()`). */
internal inline fun <T> declinable(updater: (T?) -> T, current: T?): Any? = try {
    updater(current)
} catch (e: NoChange) {
    NoChange
}
