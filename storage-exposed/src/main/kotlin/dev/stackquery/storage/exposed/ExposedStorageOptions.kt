@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.exposed

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.requireDispatching
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import java.util.concurrent.Executor
import kotlin.coroutines.CoroutineContext

/**
 * How an [ExposedStorage] stores its entries and where it runs its blocking JDBC work.
 * Immutable; validated at construction.
 *
 * ```kotlin
 * val options = ExposedStorageOptions(tableName = "query_cache", clock = clientClock, silent = true)
 * ```
 * From Java: `ExposedStorageOptions.builder().tableName("query_cache").silent(true).build()`.
 *
 * @property tableName the table the entries live in; created when missing. Default
 *   [DEFAULT_TABLE_NAME] (`stackquery_cache`). It must be a plain SQL identifier: an ASCII letter
 *   or `_`, then letters, digits or `_`, at most [MAX_TABLE_NAME_LENGTH] characters (so that the
 *   `<table>_expires_at_idx` index name fits PostgreSQL's 63-character limit). Several storages
 *   may share one table (they then share entries, like processes sharing a cache).
 * @property clock the source of the expiry times written and compared (epoch milliseconds): an
 *   entry written at `t` with a TTL expires at `clock` time `t + ttl`. The database's own clock is
 *   never used. Pass the clients' clock (a test's virtual clock in tests); default
 *   [QueryClock.SYSTEM].
 * @property silent when `true`, failures are logged (rate-limited) instead of thrown: reads
 *   return misses (`null`, an empty map), writes are dropped, and the counting operations return 0.
 *   Default `false`: failures are thrown as [dev.stackquery.storage.StorageException]
 *   ([dev.stackquery.storage.StorageUnavailableException] when the database cannot be reached).
 * @property coroutineContext where the storage runs its blocking JDBC calls and its writer
 *   coroutine; default [Dispatchers.IO]. It must have a dispatching dispatcher (JDBC never runs on
 *   the caller's thread); a [kotlinx.coroutines.Job] in it is ignored (the storage's lifetime is
 *   [ExposedStorage.close]).
 * @throws IllegalArgumentException naming the field, for an invalid [tableName] or an unconfined
 *   dispatcher.
 */
public class ExposedStorageOptions(
    public val tableName: String = DEFAULT_TABLE_NAME,
    public val clock: QueryClock = QueryClock.SYSTEM,
    public val silent: Boolean = false,
    public val coroutineContext: CoroutineContext = Dispatchers.IO,
) {
    init {
        checkTableName(tableName)
        checkContext(coroutineContext)
    }

    /** A builder holding these options, to derive a changed copy. */
    public fun toBuilder(): Builder = Builder()
        .tableName(tableName)
        .clock(clock)
        .silent(silent)
        .coroutineContext(coroutineContext)

    override fun toString(): String =
        "ExposedStorageOptions(tableName=$tableName, clock=$clock, silent=$silent, coroutineContext=$coroutineContext)"

    /**
     * Builds [ExposedStorageOptions] from Java. Setters validate eagerly and return the builder;
     * unset fields keep the defaults documented on [ExposedStorageOptions].
     */
    public class Builder internal constructor() {
        private var tableName: String = DEFAULT_TABLE_NAME
        private var clock: QueryClock = QueryClock.SYSTEM
        private var silent: Boolean = false
        private var coroutineContext: CoroutineContext = Dispatchers.IO

        /** See [ExposedStorageOptions.tableName]; throws [IllegalArgumentException] for an invalid name. */
        public fun tableName(tableName: String): Builder = apply { this.tableName = checkTableName(tableName) }

        /** See [ExposedStorageOptions.clock]. */
        public fun clock(clock: QueryClock): Builder = apply { this.clock = clock }

        /** See [ExposedStorageOptions.silent]. */
        public fun silent(silent: Boolean): Builder = apply { this.silent = silent }

        /**
         * Runs the blocking JDBC work on [executor] (see [ExposedStorageOptions.coroutineContext]).
         * It must run tasks on its own threads, never inline in `execute`.
         */
        public fun executor(executor: Executor): Builder = apply {
            coroutineContext = checkContext(executor.asCoroutineDispatcher())
        }

        /** See [ExposedStorageOptions.coroutineContext]. */
        public fun coroutineContext(context: CoroutineContext): Builder = apply {
            coroutineContext =
                checkContext(context)
        }

        /** Options with the values set so far. */
        public fun build(): ExposedStorageOptions = ExposedStorageOptions(tableName, clock, silent, coroutineContext)
    }

    public companion object {
        /** The table name used unless one is given: `stackquery_cache`. */
        public const val DEFAULT_TABLE_NAME: String = "stackquery_cache"

        /** The longest table name accepted: 48 characters. */
        public const val MAX_TABLE_NAME_LENGTH: Int = 48

        /** The options with every field at its default. */
        @JvmField
        public val DEFAULT: ExposedStorageOptions = ExposedStorageOptions()

        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder()

        private fun checkTableName(name: String): String {
            require(name.length in 1..MAX_TABLE_NAME_LENGTH && isIdentifier(name)) {
                "tableName must be an SQL identifier (an ASCII letter or '_', then letters, digits or '_', " +
                    "at most $MAX_TABLE_NAME_LENGTH characters), was \"$name\""
            }
            return name
        }

        private fun isIdentifier(name: String): Boolean =
            name.first().let { it == '_' || it in 'a'..'z' || it in 'A'..'Z' } &&
                name.all { it == '_' || it in 'a'..'z' || it in 'A'..'Z' || it in '0'..'9' }

        private fun checkContext(context: CoroutineContext): CoroutineContext =
            requireDispatching(context, "coroutineContext", "run blocking JDBC calls on the caller's thread")
    }
}
