package dev.stackquery.storage

/**
 * The storage cannot hold this one key (for instance a key longer than a SQL key column), which
 * says nothing about the storage's health: the same call with another key would succeed.
 *
 * A [dev.stackquery.QueryClient] treats it as a miss for a read and drops the write (counted in
 * [StorageStats.writesDropped]) without retrying; it is counted in [StorageStats.errors] but never
 * against the circuit breaker, so one bad key cannot switch the L2 tier off for every other key.
 * A storage should throw it only for a failure that is permanent for the key.
 */
public class StorageKeyRejectedException @JvmOverloads constructor(
    message: String,
    cause: Throwable? = null,
) : StorageException(message, cause)
