package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.sql.DriverManager
import kotlin.system.exitProcess
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The other process of [PostgresFleetProcessSpec]: `java -cp … dev.stackquery.storage.exposed.PostgresFleetChild
 * <url> <channel> <table>`. One QueryClient with a [PostgresSyncTransport] (its connections named
 * `child-<channel>` for `pg_stat_activity`) observes [WATCHED], whose query function reads the
 * name of row 1 of `<table>`. It prints `READY <name>` once it holds data, then `REFETCHED <name>`
 * after the next fetch that read another name, and exits with 0; `TIMEOUT` and 2 after 30 s.
 */
object PostgresFleetChild {
    val WATCHED = queryKey("account", 1)

    @JvmStatic
    fun main(args: Array<String>) {
        val (url, channel, table) = args
        val transport = PostgresSyncTransport.builder(
            url,
        ).channel(channel).property("ApplicationName", "child-$channel")
            .build()
        val client = QueryClient(QueryClientConfig(staleTime = 10.minutes, retry = 0, sync = transport))
        val status = try {
            runBlocking {
                val observer = client.watch(
                    QueryOptions(WATCHED, queryFn = { withContext(Dispatchers.IO) { readName(url, table) } }),
                )
                observer.subscribe { }.use {
                    val first = withTimeout(30.seconds) { observer.state.first { it.hasData && !it.isFetching } }
                    println("READY ${first.data}")
                    val next = withTimeout(30.seconds) {
                        observer.state.first { it.hasData && !it.isFetching && it.data != first.data }
                    }
                    println("REFETCHED ${next.data}")
                }
            }
            0
        } catch (e: TimeoutCancellationException) {
            println("TIMEOUT")
            2
        } finally {
            client.close()
        }
        System.out.flush()
        exitProcess(status)
    }

    private fun readName(url: String, table: String): String = DriverManager.getConnection(url).use { connection ->
        connection.createStatement().use { s ->
            s.executeQuery("SELECT name FROM $table WHERE id = 1").use { it.next(); it.getString(1) }
        }
    }
}
