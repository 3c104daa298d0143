package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.queryKey
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.TestScope
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.withTimeoutOrNull
import java.util.UUID
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** The test PostgreSQL database, as the transport's JDBC URL (trust authentication). */
const val POSTGRES_URL: String = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"

/** [POSTGRES_URL] through a [dev.stackquery.testing.TcpProxy] listening on [port]. */
fun postgresUrlThrough(port: Int): String = POSTGRES_URL.replace(":5432/", ":$port/")

/** A notification channel of its own for one test. */
fun uniqueChannel(): String = "sq_sync_" + UUID.randomUUID().toString().replace("-", "").take(16)

/** A test that needs the local PostgreSQL: skipped with the reason when it is down, failed when it is required. */
fun FunSpec.postgresTest(name: String, block: suspend TestScope.() -> Unit) {
    test(name).config(enabledOrReasonIf = { TestServices.postgres.enabled() }) {
        TestServices.postgres.check()
        block()
    }
}

/**
 * The instances of one test that share PostgreSQL the way a fleet of processes does: each
 * [instance] is a [QueryClient] with an [ExposedStorage] on one table (its own pool) and a
 * [PostgresSyncTransport] of its own, all on [channel]. Clients keep data fresh for 10 minutes
 * (only invalidation makes it stale) and do not retry. [release] closes them and drops the table.
 */
class PostgresFleet private constructor(private val namespace: TestDatabase.Namespace) {
    val channel: String = uniqueChannel()
    private val clients = mutableListOf<QueryClient>()

    /** The table the instances' storages share. */
    val table: String get() = namespace.tableName

    /** A new instance, its transport connecting to [url] (through a proxy, for instance) with [timeout]. */
    fun instance(url: String = POSTGRES_URL, timeout: Duration = 2.seconds, cacheMaxSize: Int = 1000): QueryClient {
        val transport = PostgresSyncTransport.builder(url).channel(channel)
            .timeout(java.time.Duration.ofMillis(timeout.inWholeMilliseconds)).build()
        val client = QueryClient(
            QueryClientConfig(
                staleTime = 10.minutes,
                retry = 0,
                cacheMaxSize = cacheMaxSize,
                storage = namespace.openSeparately(QueryClock.SYSTEM),
                sync = transport,
            ),
        )
        return client.also { clients += it }
    }

    /** Closes every instance (flushing for at most 5 s) and drops the shared table. */
    suspend fun release() {
        for (client in clients) {
            withTimeoutOrNull(5.seconds) { client.flush() }
            client.close()
            (client.config.storage as? AutoCloseable)?.close()
        }
        clients.clear()
        namespace.dispose()
    }

    companion object {
        suspend fun create(): PostgresFleet = PostgresFleet(TestDatabase.Postgres.namespace())
    }
}

/**
 * Waits (at most [within]) until [listener] hears what [publisher] publishes: the transports
 * start listening in the background, so a test first proves the link. [listener] holds a probe
 * key, [publisher] invalidates it, again with a new probe every 500 ms, until [listener] has it
 * invalidated.
 */
suspend fun awaitHears(listener: QueryClient, publisher: QueryClient, within: Duration = 15.seconds) {
    eventually(within) {
        val probe = queryKey("probe", UUID.randomUUID().toString())
        listener.setQueryData(probe, "held")
        publisher.invalidateQueries(probe)
        eventually(500.milliseconds) {
            listener.getQueryState<String>(probe).shouldNotBeNull().isInvalidated shouldBe true
        }
        listener.removeQueries(probe)
    }
}
