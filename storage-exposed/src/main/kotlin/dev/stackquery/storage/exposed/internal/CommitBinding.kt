@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.exposed.internal

import dev.stackquery.QueryClient
import dev.stackquery.internal.common.DeferredCacheOperations
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.storage.exposed.PostgresSyncTransport
import org.jetbrains.exposed.v1.core.Key
import org.jetbrains.exposed.v1.core.Transaction
import org.jetbrains.exposed.v1.core.statements.StatementInterceptor
import org.jetbrains.exposed.v1.jdbc.JdbcTransaction
import java.sql.Connection
import java.util.IdentityHashMap

/**
 * The cache operations of one [client] recorded in one Exposed [transaction], and the interceptor
 * that carries them out at its end:
 *
 * - **before the commit** of a top-level transaction, when the client's sync transport is a
 *   [PostgresSyncTransport] on the database of this transaction, their sync messages are sent
 *   with `NOTIFY` on the transaction's own connection (so PostgreSQL delivers them at the commit,
 *   and never if it fails);
 * - **after the commit**, they are applied to the client (and, when not sent before, published
 *   through its transport as its own calls would be); a nested transaction's commit (a savepoint
 *   released) hands them to the enclosing transaction instead, which may still roll back;
 * - **after a rollback** (of this transaction, or a nested one's savepoint) they are forgotten.
 *
 * An explicit `commit()` in the middle of a transaction carries out what was recorded before it;
 * the binding stays for what follows.
 */
internal class CommitBinding private constructor(
    private val client: QueryClient,
    private val transaction: JdbcTransaction,
) : StatementInterceptor {
    val operations = DeferredCacheOperations(client)
    private var sentInTransaction = false

    override fun beforeCommit(transaction: Transaction) {
        if (transaction.outerTransaction != null || operations.isEmpty) return
        val transport = client.config.sync as? PostgresSyncTransport ?: return
        val connection = this.transaction.connection.connection as Connection
        if (!transport.reaches(connection)) return // another database, or not listening yet: publish after the commit
        for (message in operations.syncMessages()) transport.publishIn(connection, message)
        sentInTransaction = true
    }

    override fun afterCommit(transaction: Transaction) {
        val outer = this.transaction.outerTransaction
        if (outer != null) {
            of(client, outer).operations.takeAll(operations)
        } else {
            val sent = sentInTransaction
            sentInTransaction = false
            operations.apply(alreadyPublished = sent)
        }
    }

    override fun afterRollback(transaction: Transaction) {
        operations.clear()
        sentInTransaction = false
    }

    override fun keepUserDataInTransactionStoreOnCommit(userData: Map<Key<*>, Any?>): Map<Key<*>, Any?> =
        userData.filterKeys { it === BINDINGS }

    companion object {
        /** Per transaction: the binding of each client that recorded operations in it. */
        private val BINDINGS = Key<IdentityHashMap<QueryClient, CommitBinding>>()

        /** The binding of [client] to [transaction], created (and its interceptor registered) on first use. */
        fun of(client: QueryClient, transaction: JdbcTransaction): CommitBinding {
            val bindings = transaction.getOrCreate(BINDINGS) { IdentityHashMap() }
            return synchronized(bindings) {
                bindings.getOrPut(client) {
                    CommitBinding(client, transaction).also { transaction.registerInterceptor(it) }
                }
            }
        }
    }
}
