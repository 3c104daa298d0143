package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import kotlinx.coroutines.runBlocking
import java.nio.file.Path
import kotlin.system.exitProcess

/**
 * The first "run" of an application for [ClientPersistenceSpec]'s restart test, started in a child
 * JVM: `RestartWriter <sqlite file> <name>=<value>...` fetches the query [restartKey] (`name`)
 * through a [QueryClient] on `ExposedStorage.sqlite(file)` for each pair, the query function
 * returning `value`; then flushes, closes the client and the storage, prints `wrote N`, and exits 0.
 * Any failure exits 1 with its stack trace on stderr.
 */
object RestartWriter {
    /** The key of the query named [name], in both processes. */
    fun restartKey(name: String): QueryKey = queryKey("restart", name)

    @JvmStatic
    fun main(args: Array<String>) {
        val status = try {
            write(Path.of(args[0]), args.drop(1).associate { it.substringBefore('=') to it.substringAfter('=') })
            0
        } catch (e: Throwable) {
            e.printStackTrace()
            1
        }
        exitProcess(status)
    }

    private fun write(file: Path, values: Map<String, String>) = runBlocking {
        val storage = ExposedStorage.sqlite(file)
        try {
            QueryClient(QueryClientConfig(storage = storage)).use { client ->
                for ((name, value) in values) {
                    check(client.fetchQuery(queryOptions(restartKey(name), queryFn = { value })) == value)
                }
                client.flush()
                val stats = client.storageStats()!!
                check(stats.writes == values.size.toLong() && stats.writesDropped == 0L) { "not all written: $stats" }
            }
        } finally {
            storage.close()
        }
        println("wrote ${values.size}")
    }
}
