package dev.stackquery

/**
 * The root of the exceptions StackQuery throws for its own failures (as opposed to the exceptions
 * of the query and mutation functions it runs, which reach callers unchanged).
 *
 * Catch [dev.stackquery.storage.StorageException] for anything a storage reported, or this class
 * for any StackQuery failure.
 */
public open class StackQueryException @JvmOverloads constructor(
    message: String,
    cause: Throwable? = null,
) : RuntimeException(message, cause)
