@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.storage.exposed.internal.CommitBinding
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager

/**
 * The cache operations of a [QueryClient] bound to the current Exposed JDBC transaction: each is
 * recorded, and carried out only when that transaction commits; on a rollback nothing happens.
 * For the cache changes that follow a database write: no instance drops or replaces its data for
 * a write that did not happen, and none is told before the write is visible.
 *
 * ```kotlin
 * transaction(db) {
 *     Users.update({ Users.id eq 42 }) { it[name] = "Ada" }
 *     client.inTransaction {
 *         setQueryData(queryKey("user", 42), ada)
 *         invalidateQueries(queryKey("users"))
 *     }
 * }
 * ```
 * ```java
 * TransactionalCache.of(client).invalidateQueries(QueryKey.of("users")); // inside a transaction
 * ```
 *
 * **At the commit.** The operations are applied to the client in the order they were recorded
 * (memory and shared storage, as the client's own calls), once the transaction has committed;
 * the refetches they cause are started, not awaited. The other instances hear of them:
 * - with a [PostgresSyncTransport] on the database of the transaction as the client's
 *   `QueryClientConfig.sync`, through `NOTIFY`s sent *inside* the transaction, just before its
 *   commit: PostgreSQL delivers them exactly when the commit is visible, and never for a
 *   transaction that rolls back or fails to commit (a failing `NOTIFY` fails the commit);
 * - with any other transport (another database, Redis), through the client's transport after the
 *   commit, as its own calls are published.
 *
 * **Rollback and nesting.** A rollback forgets what the transaction recorded. In a nested
 * transaction (`useNestedTransactions = true`: a savepoint), a rollback forgets what the nested
 * one recorded, and its commit hands its operations to the enclosing transaction, carried out
 * when that commits. Without nested transactions an inner `transaction { }` is part of the outer
 * one. An explicit `commit()` inside the block carries out what was recorded before it.
 *
 * **What is not guaranteed.** A process that dies between the commit and the local apply never
 * applies them itself: with the PostgreSQL transport the other instances were told (their memory
 * is right), and this one restarts from the shared storage — which still holds what it held
 * before the commit, since this instance updates the shared storage (deletes or rewrites the
 * entries) only when it applies. For the same reason an instance that reads a key from the shared
 * storage in the few milliseconds between the commit and that update, without holding it in memory,
 * can take the entry as it was before. Not thread-safe: record from the transaction's own thread.
 */
public class TransactionalCache private constructor(private val binding: CommitBinding) {
    /** Records [QueryClient.invalidateQueries] of what [filter] selects (the other instances' active copies refetch). */
    public fun invalidateQueries(filter: QueryFilter): Unit = binding.operations.invalidate(filter)

    /** Records [QueryClient.invalidateQueries] of every key starting with [prefix]. */
    public fun invalidateQueries(prefix: QueryKey): Unit = invalidateQueries(QueryFilter.prefix(prefix))

    /** Records [QueryClient.setQueryData] of [data] under [key], written at the commit's time. */
    public fun <T> setQueryData(key: QueryKey, data: T): Unit = binding.operations.set(key, data)

    /** Records [QueryClient.removeQueries] of what [filter] selects. */
    public fun removeQueries(filter: QueryFilter): Unit = binding.operations.remove(filter)

    /** Records [QueryClient.removeQueries] of every key starting with [prefix]. */
    public fun removeQueries(prefix: QueryKey): Unit = removeQueries(QueryFilter.prefix(prefix))

    /** Records [QueryClient.resetQueries] of what [filter] selects. */
    public fun resetQueries(filter: QueryFilter): Unit = binding.operations.reset(filter)

    /** Records [QueryClient.resetQueries] of every key starting with [prefix]. */
    public fun resetQueries(prefix: QueryKey): Unit = resetQueries(QueryFilter.prefix(prefix))

    public companion object {
        /**
         * The operations of [client] bound to the Exposed JDBC transaction current on this thread;
         * every call in one transaction records into the same list.
         *
         * @throws IllegalStateException outside a transaction.
         */
        @JvmStatic
        public fun of(client: QueryClient): TransactionalCache {
            val transaction = checkNotNull(TransactionManager.currentOrNull()) {
                "TransactionalCache.of / inTransaction must be called inside an Exposed transaction { }"
            }
            return TransactionalCache(CommitBinding.of(client, transaction))
        }
    }
}

/**
 * Runs [block] on the [TransactionalCache] of this client in the current Exposed JDBC transaction:
 * the operations it records are carried out when the transaction commits, and not at all if it
 * rolls back. Returns what [block] returns.
 *
 * @throws IllegalStateException outside a transaction.
 */
@JvmSynthetic
public inline fun <R> QueryClient.inTransaction(block: TransactionalCache.() -> R): R =
    TransactionalCache.of(this).block()
