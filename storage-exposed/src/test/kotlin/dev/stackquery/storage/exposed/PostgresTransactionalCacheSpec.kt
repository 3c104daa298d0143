package dev.stackquery.storage.exposed

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.testing.RecordingSyncListener
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrowAny
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.jetbrains.exposed.v1.jdbc.transactions.transaction
import java.sql.DriverManager
import java.util.Collections
import kotlin.time.Duration.Companion.seconds

/**
 * Cache operations bound to a PostgreSQL transaction with the PostgresSyncTransport: the NOTIFY
 * is part of the transaction, so the other instances hear of a change exactly when it is visible.
 */
class PostgresTransactionalCacheSpec : FunSpec({
    lateinit var fleet: PostgresFleet
    lateinit var db: Database
    lateinit var table: String
    val closing = mutableListOf<AutoCloseable>()

    fun readName(): String = DriverManager.getConnection(POSTGRES_URL).use { connection ->
        connection.createStatement().use { s ->
            s.executeQuery("SELECT name FROM $table WHERE id = 1").use { it.next(); it.getString(1) }
        }
    }

    beforeTest {
        if (!TestServices.postgres.reachable) return@beforeTest
        fleet = PostgresFleet.create()
        table = "sq_acct_" + fleet.channel.takeLast(12)
        db = Database.connect(POSTGRES_URL, driver = "org.postgresql.Driver")
        transaction(db) {
            exec("CREATE TABLE $table (id INT PRIMARY KEY, name TEXT, code INT UNIQUE DEFERRABLE INITIALLY DEFERRED)")
            exec("INSERT INTO $table VALUES (1, 'old', 1), (2, 'other', 2)")
        }
    }

    afterTest {
        if (!TestServices.postgres.reachable) return@afterTest
        closing.forEach { it.close() }
        closing.clear()
        fleet.release()
        transaction(db) { exec("DROP TABLE IF EXISTS $table") }
        TransactionManager.closeAndUnregister(db)
    }

    postgresTest("B hears the invalidation only once A's commit is visible, and its refetch reads the new row") {
        val a = fleet.instance()
        val b = fleet.instance()
        val witness = PostgresSyncTransport.create(POSTGRES_URL, fleet.channel).also { closing += it }
        val heard = RecordingSyncListener()
        witness.start(heard)
        awaitHears(b, a)
        val key = queryKey("account", 1)
        val readByB = Collections.synchronizedList(mutableListOf<String>())
        val observer = b.watch(
            QueryOptions(key, queryFn = {
                withContext(Dispatchers.IO) { readName() }.also(readByB::add)
            }),
        )
        val subscription = observer.subscribe { }
        try {
            eventually(5.seconds) { observer.state.value.data shouldBe "old" }
            eventually(2.seconds) { heard.pending().filter { "probe" !in it }.shouldBeEmpty() }

            withContext(Dispatchers.IO) {
                transaction(db) {
                    exec("UPDATE $table SET name = 'new' WHERE id = 1")
                    a.inTransaction { invalidateQueries(key) }
                    // Not committed yet: for a while, B must hear nothing (bounded polling of a real server).
                    repeat(10) {
                        Thread.sleep(30)
                        b.getQueryState<String>(key).shouldNotBeNull().isInvalidated shouldBe false
                    }
                }
            }

            eventually(5.seconds) { observer.state.value.data shouldBe "new" }
            readByB shouldBe listOf("old", "new") // after the notification B never read the old row
            val told = heard.next().single()
            told shouldContain "\"op\":\"invalidate\""
            told shouldContain "\"key\":[\"account\",1]"
            eventually(2.seconds) { a.getQueryState<Any?>(key) shouldBe null } // A held none: nothing to mark
            // A applied without publishing again: the NOTIFY of the transaction was the only message.
            witness.publish("sentinel")
            heard.next().single() shouldBe "message:sentinel"
        } finally {
            subscription.close()
        }
    }

    postgresTest(
        "the NOTIFY is part of the transaction: B is told even when A stops before it could apply or publish",
    ) {
        val a = fleet.instance()
        val b = fleet.instance()
        awaitHears(b, a)
        val key = queryKey("account", 1)
        b.setQueryData(key, "old")

        withContext(Dispatchers.IO) {
            transaction(db) {
                exec("UPDATE $table SET name = 'new' WHERE id = 1")
                a.inTransaction { invalidateQueries(key) }
                a.close() // A "crashes" before its commit returns: its own publisher is gone
            }
        }

        eventually(5.seconds) { b.getQueryState<String>(key).shouldNotBeNull().isInvalidated shouldBe true }
    }

    postgresTest("a rollback and a commit that fails send nothing and carry out nothing") {
        val a = fleet.instance()
        val witness = PostgresSyncTransport.create(POSTGRES_URL, fleet.channel).also { closing += it }
        val heard = RecordingSyncListener()
        witness.start(heard)
        val key = queryKey("account", 2)
        a.setQueryData(key, "held")
        // a's own set is announced; wait for it so that it is not mistaken for what follows
        eventually(10.seconds) { heard.next().single() shouldContain "\"account\",2" }

        withContext(Dispatchers.IO) {
            transaction(db) {
                a.inTransaction { invalidateQueries(key) }
                rollback()
            }
            shouldThrowAny {
                transaction(db) {
                    exec("UPDATE $table SET code = 1 WHERE id = 2") // violates the deferred unique constraint at commit
                    a.inTransaction { removeQueries(key) }
                }
            }
        }

        witness.publish("sentinel")
        heard.next().single() shouldBe "message:sentinel"
        a.getQueryData<String>(key) shouldBe "held"
        a.getQueryState<String>(key).shouldNotBeNull().isInvalidated shouldBe false
        readName() shouldBe "old"
    }
})
