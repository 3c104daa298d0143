package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.testing.ManualClock
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.serialization.Serializable
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.seconds

@Serializable
data class Profile(val id: Int, val name: String)

/**
 * [QueryClient]s persisting through [ExposedStorage]: what survives a real restart of the JVM, two
 * clients sharing one server database, and PyStackQuery's SQLite persistence test.
 */
class ClientPersistenceSpec : FunSpec({
    test(
        "data written through a client in another JVM is served after the restart without calling the query function",
    ) {
        val dir = Files.createTempDirectory("stackquery-restart-")
        try {
            val file = dir.resolve("cache.db")
            val values = linkedMapOf("ada" to "Ada Lovelace", "grace" to "say \"hi\", Grace", "alan" to "[1, 2]")
            val output = runChildJvm(
                RestartWriter::class.java.name,
                listOf(file.toString()) + values.map { "${it.key}=${it.value}" },
                dir,
            )
            output.trim() shouldBe "wrote 3"

            val storage = ExposedStorage.sqlite(file)
            try {
                QueryClient(QueryClientConfig(staleTime = 1.hours, storage = storage)).use { client ->
                    val calls = AtomicInteger()
                    for ((name, value) in values) {
                        val options =
                            queryOptions(RestartWriter.restartKey(name), queryFn = {
                                calls.incrementAndGet(); "refetched"
                            })
                        client.fetchQuery(options) shouldBe value
                    }
                    calls.get() shouldBe 0
                    val stats = client.storageStats()!!
                    stats.hits shouldBe 3
                    stats.staleHits shouldBe 0
                    stats.misses shouldBe 0
                    stats.writes shouldBe 0
                }
            } finally {
                storage.close()
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    dialectTest(
        TestDatabase.Postgres,
        "two clients on one database: the second hydrates what the first fetched, and fetches again once the first removed it",
    ) {
        val namespace = TestDatabase.Postgres.namespace()
        try {
            val clock = ManualClock()
            val firstStorage = namespace.open(clock)
            val secondStorage = namespace.openSeparately(clock) // another Database and pool: another "process"
            fun client(storage: ExposedStorage) =
                QueryClient(QueryClientConfig(staleTime = 1.hours, clock = clock, storage = storage))
            val first = client(firstStorage)
            val second = client(secondStorage)
            try {
                val keys = listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))
                val firstCalls = AtomicInteger()
                val secondCalls = HashMap<QueryKey, Int>()
                fun fromFirst(key: QueryKey) = Profile(keys.indexOf(key), "first $key")
                fun fromSecond(key: QueryKey) = Profile(keys.indexOf(key), "second $key")
                fun firstOptions(key: QueryKey) =
                    queryOptions(key, queryFn = { firstCalls.incrementAndGet(); fromFirst(key) })
                fun secondOptions(key: QueryKey) = queryOptions(key, queryFn = {
                    synchronized(secondCalls) { secondCalls.merge(key, 1, Int::plus) }
                    fromSecond(key)
                })
                suspend fun rows() = namespace.queryLong("SELECT COUNT(*) FROM ${namespace.tableName}")

                for (key in keys) first.fetchQuery(firstOptions(key)) shouldBe fromFirst(key)
                first.flush()
                firstCalls.get() shouldBe 3
                rows() shouldBe 3

                for (key in keys) second.fetchQuery(secondOptions(key)) shouldBe fromFirst(key)
                secondCalls shouldBe emptyMap()
                second.storageStats()!!.hits shouldBe 3

                first.removeQueries(queryKey("user"))
                first.flush()
                first.storageStats()!!.deletes shouldBe 2 // the prefix ["user",… and the exact key ["user"]
                rows() shouldBe 1

                second.clear() // memory only: now every read of the second client is cold
                for (key in keys.take(2)) second.fetchQuery(secondOptions(key)) shouldBe fromSecond(key)
                second.fetchQuery(secondOptions(keys[2])) shouldBe fromFirst(keys[2]) // not under the prefix
                secondCalls shouldBe mapOf(keys[0] to 1, keys[1] to 1)
                val stats = second.storageStats()!!
                stats.hits shouldBe 4
                stats.misses shouldBe 2
                second.flush()
                rows() shouldBe 3
            } finally {
                first.close()
                second.close()
                firstStorage.close()
                secondStorage.close()
            }
        } finally {
            namespace.dispose()
        }
    }

    // PyStackQuery tests/features/test_infrastructure.py::test_sqlite_persistence_logic (reference §14 #9).
    test(
        "test_sqlite_persistence_logic: a second client on the SQLite storage returns the persisted value, not the refetched one",
    ) {
        val dir = Files.createTempDirectory("stackquery-sqlite-")
        val storage = ExposedStorage.sqlite(dir.resolve("cache.db"))
        val key = queryKey("key")
        val first = QueryClient(QueryClientConfig(staleTime = 100.seconds, retry = 0, storage = storage))
        val second = QueryClient(QueryClientConfig(staleTime = 100.seconds, retry = 0, storage = storage))
        try {
            first.fetchQuery(queryOptions(key, queryFn = { "sql_data" })) shouldBe "sql_data"
            first.flush()
            val writtenAt = first.getQueryState<String>(key)!!.dataUpdatedAt
            storage.get("stackquery:[\"key\"]") shouldBe
                """{"v":1,"data":"sql_data","dataUpdatedAt":$writtenAt,"invalidated":false}"""

            val refetches = AtomicInteger()
            second.fetchQuery(queryOptions(key, queryFn = { refetches.incrementAndGet(); "REFETCHED" })) shouldBe
                "sql_data"
            refetches.get() shouldBe 0
            second.getQueryState<String>(key)!!.dataUpdatedAt shouldBe writtenAt
            second.storageStats()!!.hits shouldBe 1
        } finally {
            first.close()
            second.close()
            storage.close()
            dir.toFile().deleteRecursively()
        }
    }
})

/**
 * Runs [mainClass] with [args] in a child JVM on this JVM's class path, waits for it (at most 2
 * minutes), and returns its standard output; fails if it does not exit 0. The child is always
 * destroyed, whatever happens here.
 */
private fun runChildJvm(mainClass: String, args: List<String>, workDir: Path): String {
    val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
    val stdout = workDir.resolve("child.out").toFile()
    val stderr = workDir.resolve("child.err").toFile()
    val process = ProcessBuilder(listOf(java, "-cp", System.getProperty("java.class.path"), mainClass) + args)
        .redirectOutput(stdout)
        .redirectError(stderr)
        .start()
    try {
        val exited = process.waitFor(2, TimeUnit.MINUTES)
        check(exited) { "the child JVM did not exit within 2 minutes; stderr: ${stderr.readText()}" }
        check(process.exitValue() == 0) {
            "the child JVM exited with ${process.exitValue()}; stderr: ${stderr.readText()}"
        }
        return stdout.readText()
    } finally {
        if (process.isAlive) {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
    }
}
