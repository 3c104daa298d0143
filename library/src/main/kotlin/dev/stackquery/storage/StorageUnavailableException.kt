package dev.stackquery.storage

/**
 * The storage could not be reached: a refused or lost connection, an operation that exceeded its
 * timeout, or a client whose circuit breaker is open for that storage. Retrying later may succeed.
 */
public class StorageUnavailableException @JvmOverloads constructor(
    message: String,
    cause: Throwable? = null,
) : StorageException(message, cause)
