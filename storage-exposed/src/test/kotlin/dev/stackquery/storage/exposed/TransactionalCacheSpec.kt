package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.testing.InMemorySyncHub
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.jetbrains.exposed.v1.core.DatabaseConfig
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.jetbrains.exposed.v1.jdbc.transactions.transaction
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * Cache operations bound to an Exposed transaction, on H2 (no server needed): carried out at the
 * commit, forgotten at a rollback, nested transactions handled as savepoints.
 */
class TransactionalCacheSpec : FunSpec({
    val counter = AtomicInteger()
    lateinit var db: Database
    lateinit var nested: Database
    lateinit var client: QueryClient
    val user = queryKey("user", 1)
    val users = queryKey("users")

    fun h2(config: DatabaseConfig? = null): Database {
        val url = "jdbc:h2:mem:tx_${counter.incrementAndGet()};DB_CLOSE_DELAY=-1"
        return if (config == null) {
            Database.connect(url, driver = "org.h2.Driver")
        } else {
            Database.connect(url, driver = "org.h2.Driver", databaseConfig = config)
        }
    }

    beforeTest {
        db = h2()
        nested = h2(DatabaseConfig { useNestedTransactions = true })
        client = QueryClient()
        client.setQueryData(users, listOf("ada"))
    }

    afterTest {
        client.close()
        TransactionManager.closeAndUnregister(db)
        TransactionManager.closeAndUnregister(nested)
    }

    fun invalidated(key: dev.stackquery.QueryKey) = client.getQueryState<Any?>(key).shouldNotBeNull().isInvalidated

    test("at the commit the operations are carried out, in order; inside the transaction nothing has changed yet") {
        transaction(db) {
            client.inTransaction {
                setQueryData(user, "ada")
                invalidateQueries(users)
                setQueryData(user, "grace")
            }
            client.getQueryData<String>(user).shouldBeNull()
            invalidated(users) shouldBe false
        }
        client.getQueryData<String>(user) shouldBe "grace"
        invalidated(users) shouldBe true
    }

    test("a rollback forgets the operations") {
        transaction(db) {
            client.inTransaction { invalidateQueries(users) }
            rollback()
        }
        invalidated(users) shouldBe false
    }

    test("a failure inside the block rolls back and carries out nothing; the failure reaches the caller") {
        val failure = shouldThrow<IllegalStateException> {
            transaction(db) {
                client.inTransaction {
                    removeQueries(users)
                    setQueryData(user, "never")
                }
                error("the business write failed")
            }
        }
        failure.message shouldBe "the business write failed"
        client.getQueryData<List<String>>(users) shouldBe listOf("ada")
        client.getQueryState<String>(user).shouldBeNull()
    }

    test("a nested transaction that rolls back forgets its own operations; the enclosing one's are carried out") {
        transaction(nested) {
            client.inTransaction { setQueryData(user, "outer") }
            try {
                transaction(nested) {
                    client.inTransaction { invalidateQueries(users) }
                    error("inner failure")
                }
            } catch (e: IllegalStateException) {
                e.message shouldBe "inner failure"
            }
        }
        client.getQueryData<String>(user) shouldBe "outer"
        invalidated(users) shouldBe false
    }

    test("a nested transaction's operations wait for the enclosing commit, and go with its rollback") {
        transaction(nested) {
            transaction(nested) { client.inTransaction { invalidateQueries(users) } }
            invalidated(users) shouldBe false // the savepoint was released, nothing is committed yet
            rollback()
        }
        invalidated(users) shouldBe false

        transaction(nested) {
            transaction(nested) { client.inTransaction { invalidateQueries(users) } }
        }
        invalidated(users) shouldBe true
    }

    test("without nested transactions an inner transaction block is part of the outer one") {
        transaction(db) {
            transaction(db) { client.inTransaction { invalidateQueries(users) } }
            invalidated(users) shouldBe false
        }
        invalidated(users) shouldBe true
    }

    test(
        "an explicit commit inside the block carries out what was recorded before it; what follows waits for the end",
    ) {
        transaction(db) {
            client.inTransaction { setQueryData(user, "first") }
            commit()
            client.getQueryData<String>(user) shouldBe "first"
            client.inTransaction { setQueryData(user, "second") }
            client.getQueryData<String>(user) shouldBe "first"
        }
        client.getQueryData<String>(user) shouldBe "second"
    }

    test("two clients in one transaction each carry out their own operations") {
        val other = QueryClient()
        try {
            other.setQueryData(users, listOf("alan"))
            transaction(db) {
                client.inTransaction { invalidateQueries(users) }
                other.inTransaction { removeQueries(users) }
            }
            invalidated(users) shouldBe true
            other.getQueryState<Any?>(users).shouldBeNull()
        } finally {
            other.close()
        }
    }

    test("outside a transaction inTransaction fails at once and records nothing") {
        shouldThrow<IllegalStateException> { client.inTransaction { invalidateQueries(users) } }
            .message shouldContain "inside an Exposed transaction"
        invalidated(users) shouldBe false
    }

    test(
        "with a transport that is not PostgreSQL's the operations are published after the commit, and not at a rollback",
    ) {
        val hub = InMemorySyncHub()
        val publisher = QueryClient(QueryClientConfig(sync = hub.transport()))
        try {
            publisher.fetchQuery(QueryOptions(users, queryFn = { listOf("ada") }))
            transaction(db) {
                publisher.inTransaction { invalidateQueries(users) }
                rollback()
            }
            transaction(db) {
                publisher.inTransaction { invalidateQueries(users) }
                hub.published.shouldBeEmpty()
            }
            // The client's publisher sends in order: had the rolled-back one been sent, it would be first.
            eventually(5.seconds) { hub.published shouldHaveSize 1 }
            hub.published.single() shouldContain "\"op\":\"invalidate\""
        } finally {
            publisher.close()
        }
    }
})
