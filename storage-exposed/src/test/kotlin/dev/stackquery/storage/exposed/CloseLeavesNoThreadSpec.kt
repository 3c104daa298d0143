package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withTimeout
import java.nio.file.Files
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds

/**
 * Issue 23: a thread dump after `client.close()` and `storage.close()` shows nothing the client or
 * its SQLite storage started, after a run with faults in it (a file that is not a database, so the
 * storage quarantines it at open; a query function that throws; an observer still subscribed at
 * close). JVM-wide threads no one here owns ([shared]) are left out of the comparison.
 */
class CloseLeavesNoThreadSpec : FunSpec({
    test("after faults, close() and storage close leave no thread behind") {
        val before = liveThreads()
        val dir = Files.createTempDirectory("stackquery-threads-")
        try {
            val file = dir.resolve("cache.db")
            Files.write(file, Random(7).nextBytes(8192)) // not a database: quarantined at open
            val storage = ExposedStorage.sqlite(file)
            val client = QueryClient(QueryClientConfig(storage = storage, coroutineContext = Dispatchers.Default))
            withTimeout(30.seconds) {
                repeat(50) { i ->
                    client.fetchQuery(queryOptions(queryKey("t", i), queryFn = { "v$i" }))
                }
                shouldThrow<IllegalStateException> {
                    client.fetchQuery(QueryOptions(queryKey("t", "failing"), retry = 0, queryFn = { error("boom") }))
                }
                val observer = client.watch(queryOptions(queryKey("t", 1), queryFn = { "v1" }))
                observer.subscribe { }
                client.flush()
                client.close()
            }
            storage.close()
            dir.toFile().list()!!.count { it.startsWith("cache.db.corrupt-") } shouldBe 1
        } finally {
            dir.toFile().deleteRecursively()
        }
        eventually(10.seconds) { (liveThreads() - before).shouldBeEmpty() } // threads take a moment to end
    }
})

/**
 * JVM-wide threads nobody here owns: the shared coroutine pools the client runs on, and the JDK's
 * process reaper (started the first time anything in the JVM runs a process, such as the SQLite
 * driver's platform probe while loading its native library; it ends when idle for a minute).
 */
private val shared = listOf("DefaultDispatcher-worker-", "kotlinx.coroutines.DefaultExecutor", "process reaper")

/** Names of the live threads, less the shared pools'. */
private fun liveThreads(): Set<String> = Thread.getAllStackTraces().keys
    .filter { it.isAlive }
    .map { it.name }
    .filterNot { name -> shared.any { name.startsWith(it) } }
    .toSet()
