package dev.stackquery.storage.exposed

import dev.stackquery.testing.ChildJvm
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.jetbrains.exposed.v1.jdbc.transactions.transaction
import kotlin.time.Duration.Companion.seconds

/**
 * Two JVM processes sharing PostgreSQL only: this one commits a row and, in the same transaction,
 * invalidates the cache; a [PostgresFleetChild] started with [ChildJvm] (this JVM's class path,
 * so the code under test) observes the query and refetches the new row.
 */
class PostgresFleetProcessSpec : FunSpec({
    postgresTest(
        "a commit here with an invalidation in its transaction makes the other JVM refetch, reading the new row",
    ) {
        val fleet = PostgresFleet.create()
        val table = "sq_acct_" + fleet.channel.takeLast(12)
        val db = Database.connect(POSTGRES_URL, driver = "org.postgresql.Driver")
        try {
            transaction(db) {
                exec("CREATE TABLE $table (id INT PRIMARY KEY, name TEXT)")
                exec("INSERT INTO $table VALUES (1, 'old')")
            }
            val parent = fleet.instance()
            ChildJvm(PostgresFleetChild::class.java.name, POSTGRES_URL, fleet.channel, table).use { child ->
                withClue(child::diagnostics) {
                    child.nextLine() shouldBe "READY old"
                    // The child's transport listens (its listening connection ran LISTEN, then the identity query).
                    eventually(20.seconds) {
                        transaction(db) {
                            exec(
                                "SELECT count(*) FROM pg_stat_activity " +
                                    "WHERE application_name = 'child-${fleet.channel}' " +
                                    "AND (query LIKE '%pg_postmaster_start_time%' OR query = 'SELECT 1')",
                            ) { it.next(); it.getLong(1) }
                        } shouldBe 1L
                    }
                    withContext(Dispatchers.IO) {
                        transaction(db) {
                            exec("UPDATE $table SET name = 'new' WHERE id = 1")
                            parent.inTransaction { invalidateQueries(PostgresFleetChild.WATCHED) }
                        }
                    }
                    child.nextLine(within = 15.seconds) shouldBe "REFETCHED new"
                    child.exitStatus() shouldBe 0
                }
            }
        } finally {
            fleet.release()
            transaction(db) { exec("DROP TABLE IF EXISTS $table") }
            TransactionManager.closeAndUnregister(db)
        }
    }
})
