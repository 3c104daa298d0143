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
 * The process [SqliteCrashSpec] kills with `kill -9`, started in a child JVM:
 * `CrashWriter <sqlite file> <count> flush|noflush`. It fetches [crashKey] `0 until count`, in
 * order, through a client on `ExposedStorage.sqlite(file)`, the query function returning
 * [crashValue]. With `flush` it then flushes, prints `flushed N` and waits to be killed; with
 * `noflush` it prints `writing` once a thousand fetches are done and 500 writes committed, and
 * goes on without ever flushing, so the kill lands in the middle of write-behind. Exits 1 on a failure.
 */
object CrashWriter {
    fun crashKey(i: Int): QueryKey = queryKey("crash", i)

    fun crashValue(i: Int): String = "value $i"

    @JvmStatic
    fun main(args: Array<String>) {
        try {
            write(Path.of(args[0]), args[1].toInt(), args[2] == "flush")
        } catch (e: Throwable) {
            e.printStackTrace()
            exitProcess(1)
        }
    }

    private fun write(file: Path, count: Int, flush: Boolean) = runBlocking {
        val client = QueryClient(QueryClientConfig(storage = ExposedStorage.sqlite(file)))
        var announced = false
        for (i in 0 until count) {
            check(client.fetchQuery(queryOptions(crashKey(i), queryFn = { crashValue(i) })) == crashValue(i))
            if (!flush && !announced && i >= 999 && client.storageStats()!!.writes >= 500) {
                println("writing") // some writes are committed and many more are queued
                System.out.flush()
                announced = true
            }
        }
        if (flush) {
            client.flush()
            val stats = client.storageStats()!!
            check(stats.writes == count.toLong() && stats.writesDropped == 0L) { "not all written: $stats" }
            println("flushed $count")
        }
        System.out.flush()
        Thread.sleep(Long.MAX_VALUE) // until killed
    }
}
