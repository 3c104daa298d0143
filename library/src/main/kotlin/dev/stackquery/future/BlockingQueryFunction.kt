package dev.stackquery.future

/**
 * A query function that blocks its thread (a JDBC query, a blocking HTTP client), for
 * `QueryOptions.builder(key, function, executor)`: it runs on the executor the caller chose (a
 * bounded pool, or `Executors.newVirtualThreadPerTaskExecutor()` on Java 21+), never on the
 * client's dispatcher. Cancelling the fetch interrupts the thread running it.
 */
public fun interface BlockingQueryFunction<T> {
    /** Fetches the data, blocking; throws to fail the attempt. */
    @Throws(Exception::class)
    public fun fetch(): T
}
