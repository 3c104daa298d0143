package dev.stackquery.sample.shop

import dev.stackquery.ManualOnlineManager
import dev.stackquery.MutationOptions
import dev.stackquery.OnlineManager
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.devtools.StackQueryDevtools
import dev.stackquery.parallelQueries
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.sample.DemoServer
import dev.stackquery.sample.SampleFolder
import dev.stackquery.sample.Timing
import dev.stackquery.storage.exposed.ExposedStorage
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.io.PrintStream
import java.util.Locale
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.system.measureNanoTime
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The StackQuery tour in Kotlin. A shop API runs over real HTTP inside this process
 * ([DemoServer]: 127.0.0.1, a free port, 50–150 ms a call, every call counted); [ShopApi] calls
 * it through `java.net.http.HttpClient`; a [QueryClient] caches the answers in memory and, for
 * the queries that have a codec, in an SQLite file. Each section prints what happened, with
 * measured times and HTTP call counts.
 *
 * From the repository root: `mvn -B -q -pl sample-jvm -am install -DskipTests && mvn -B -q -pl sample-jvm exec:java`.
 * Run it twice: the second run loads the persisted queries from SQLite without HTTP calls.
 * Arguments (through `-Dexec.args="…"`): `--data-dir PATH` (default `./stackquery-sample-data`)
 * and `--reset` (see [SampleFolder]); `--devtools` serves the live inspector page
 * ([StackQueryDevtools]) during the tour, prints its URL, and keeps it up after the tour until
 * Enter is pressed; `--postgres-sync JDBC_URL` adds a [dev.stackquery.storage.exposed.PostgresSyncTransport]
 * ([FleetOption]).
 */
fun main(args: Array<String>) = runShopSample(args, PrintStream(System.out, true, Charsets.UTF_8))

/** Runs the tour, printing the report to [out]. */
fun runShopSample(args: Array<String>, out: PrintStream) {
    val withDevtools = "--devtools" in args
    val fleet = FleetOption.fromArgs(args.filter { it != "--devtools" }.toTypedArray())
    val folder = SampleFolder.fromArgs(fleet.rest, "stackquery-sample-data")
    val started = System.nanoTime()
    DemoServer.start().use { server ->
        val cacheFile = folder.file("cache.db")
        ExposedStorage.sqlite(cacheFile).use { storage ->
            // the L2 tier: one SQLite file
            val opened = Timing.warmUp(storage)
            out.println(
                "StackQuery tour (Kotlin): a shop API at ${server.baseUri} (50-150 ms a call), " +
                    "over java.net.http.HttpClient",
            )
            out.println(
                "L2 cache: $cacheFile (SQLite, opened in ${Timing.format(opened)}), " +
                    "run ${folder.run} with this folder" + if (folder.wasReset) " (after --reset)" else "",
            )
            out.println(
                "Sections 1-6 cache in memory only (their queries have no codec), so every run shows the same; " +
                    "section 7 persists.",
            )
            val network = OnlineManager.manual()  // section 8 switches it off and on, as a connectivity callback would
            val config = QueryClientConfig(
                staleTime = 1.minutes,      // data stays fresh for a minute unless a query says otherwise
                storage = storage,          // queries with a codec are persisted there
                persistMaxAge = 1.days,     // and kept for a day
                buster = "shop-sample-1",   // bump it when the persisted types change
                onlineManager = network,    // whether the network is there (default: always)
                sync = fleet.sync,          // --postgres-sync: other instances hear this one's invalidations
            )
            fleet.sync?.let { out.println("Sync: $it") }
            QueryClient(config).use { client ->
                val devtools = if (withDevtools) StackQueryDevtools.start(client) else null
                devtools?.let { out.println("Devtools: the live inspector page is at ${it.url}") }
                runBlocking {
                    Tour(client, ShopApi(server.baseUri), server, folder.run, network, out).run()
                    client.flush()          // wait for the queued SQLite writes before exiting
                }
                devtools?.use {
                    out.println()
                    out.println("Devtools: the page stays up at ${it.url}; press Enter to stop.")
                    System.`in`.read()
                }
            }
            out.println()
            out.println(
                "Done in ${Timing.since(started)}: ${server.totalCalls()} HTTP calls in all; SQLite writes flushed.",
            )
        }
    }
}

private class Tour(
    private val client: QueryClient,
    private val api: ShopApi,
    private val server: DemoServer,
    private val run: Int,
    private val network: ManualOnlineManager,
    private val out: PrintStream,
) {
    private fun userOptions(id: Int) = QueryOptions(queryKey("user", id), queryFn = { api.user(id) })

    private fun productOptions(id: Int) = QueryOptions(queryKey("product", id), queryFn = { api.product(id) })

    suspend fun run() {
        api.ping()   // warms the JVM's HTTP client up, so the first timed call measures the call, not class loading
        coldFetchAndFreshHit()
        concurrentCallers()
        staleWhileRevalidate()
        polling()
        prefixInvalidation()
        optimisticMutation()
        persistence()
        offlineAndBack(client, api, server, network, out)
        catalogPageByPage(client, api, server, out)
    }

    private fun section(title: String) {
        out.println()
        out.println(title)
    }

    private suspend fun coldFetchAndFreshHit() {
        section("1. Cold fetch, then fresh hits")
        val ada = userOptions(42)
        val user: User
        val cold = measureNanoTime { user = client.fetchQuery(ada) }   // not cached: one HTTP call
        out.println(
            "   cold fetch of ${ada.queryKey}: $user in ${Timing.format(cold)}; " +
                "HTTP calls to GET /users/42: ${server.calls("GET /users/42")}",
        )
        val hits = 100_000
        val all = measureNanoTime { repeat(hits) { client.fetchQuery(ada) } }   // fresh: from memory
        out.println(
            "   fresh hits: 100,000 in ${Timing.format(all)}, ${Timing.format(all / hits)} each on average; " +
                "HTTP calls to GET /users/42: ${server.calls("GET /users/42")}",
        )
    }

    private suspend fun concurrentCallers() = coroutineScope {
        section("2. 100 concurrent callers of one cold key")
        val turing = userOptions(7)
        val go = CompletableDeferred<Unit>()
        val callers = List(100) { async(Dispatchers.Default) { go.await(); client.fetchQuery(turing) } }
        val start = System.nanoTime()
        go.complete(Unit)
        val users = callers.awaitAll()
        out.println(
            "   100 callers of ${turing.queryKey} got ${users.toSet().size} distinct result, ${users.first()}, " +
                "in ${Timing.since(start)}; HTTP calls to GET /users/7: ${server.calls("GET /users/7")}",
        )
    }

    private suspend fun staleWhileRevalidate() {
        section("3. Stale-while-revalidate (staleTime = 0: every read revalidates)")
        val keyboard =
            QueryOptions(queryKey("stock", "KB-1"), queryFn = { api.stock("KB-1") }, staleTime = Duration.ZERO)
        val first = client.fetchQuery(keyboard)
        out.println("   first read:  ${first.available} in stock (cold: waited for the HTTP call)")
        val second: Stock
        val time = measureNanoTime { second = client.fetchQuery(keyboard) }  // stale: at once, refetch behind
        val refetching = client.getQueryState<Stock>(keyboard.queryKey)?.isFetching
        out.println(
            "   second read: ${second.available} in stock, the stale value, in ${Timing.format(time)}; " +
                "background refetch running: $refetching",
        )
        client.refetchQueries(keyboard.queryKey)                                // joins that refetch
        val fresh = client.getQueryData<Stock>(keyboard.queryKey)
        out.println(
            "   after the background refetch: ${fresh?.available} in stock; " +
                "HTTP calls to GET /stock/KB-1: ${server.calls("GET /stock/KB-1")}",
        )
    }

    private suspend fun polling() {
        val interval = 250.milliseconds
        val order = QueryOptions(queryKey("order", 1001), queryFn = { api.order(1001) }, refetchInterval = interval)
        section(
            "4. Polling: an observer of ${order.queryKey} with refetchInterval = $interval, its states as they happen",
        )
        val delivered = CompletableDeferred<Unit>()
        val start = System.nanoTime()
        val subscription = client.watch(order).subscribe { state: QueryState<Order> ->
            val elapsed = (System.nanoTime() - start) / 1_000_000
            val shown = state.data?.status ?: "(no data)"
            out.println(
                String.format(Locale.ROOT, "   %+7d ms  %-8s %-9s %s", elapsed, state.status, state.fetchStatus, shown),
            )
            if (state.data?.status == "DELIVERED" && !state.isFetching) delivered.complete(Unit)
        }
        withTimeout(10.seconds) { delivered.await() }
        subscription.close()                       // the last subscriber leaves: polling stops
        val calls = server.calls("GET /orders/1001")
        delay(600)
        val after = server.calls("GET /orders/1001") - calls
        out.println("   DELIVERED after $calls HTTP calls; unsubscribed, then $after calls in the next 600 ms")
    }

    private suspend fun prefixInvalidation() {
        section("5. Prefix invalidation: only the observed queries refetch")
        val products = (1..5).map(::productOptions)
        client.parallelQueries(products)
        val screens = products.take(2).map { client.watch(it).subscribe { } }  // two screens show products 1 and 2
        out.println(
            "   5 products cached (${server.callsStartingWith("GET /products/")} HTTP calls); observed: " +
                products.take(2).joinToString { it.queryKey.toString() },
        )
        val before = server.callsStartingWith("GET /products/")
        val time = measureNanoTime { client.invalidateQueries(queryKey("product")) }  // waits for the active refetches
        val refetched = server.callsStartingWith("GET /products/") - before
        val stale = products.filter { client.getQueryState<Product>(it.queryKey)?.isInvalidated == true }
        out.println(
            "   invalidateQueries([\"product\"]) in ${Timing.format(time)}: $refetched HTTP calls " +
                "(the observed ones refetched); ${stale.size} inactive marked stale, refetched when next read: " +
                stale.joinToString { it.queryKey.toString() },
        )
        screens.forEach { it.close() }
    }

    private suspend fun optimisticMutation() {
        section("6. Mutation: an optimistic update the server rejects, rolled back")
        val ada = userOptions(42)
        val userKey = ada.queryKey
        val shown = CopyOnWriteArrayList<String>()  // what a screen showing user 42 displayed, in order
        val screen = client.watch(ada).subscribe { state ->
            state.data?.name?.let { if (shown.lastOrNull() != it) shown += it }
        }
        val rename = client.mutation(
            MutationOptions<User, String, User?>(
                mutationFn = { name -> api.renameUser(42, name) },
                onMutate = { name ->
                    client.cancelQueries(userKey)                         // a refetch in flight must not overwrite it
                    client.getQueryData<User>(userKey).also { previous ->
                        // the context: what to roll back to
                        client.setQueryData(userKey, User(42, name))      // optimistic: shown at once
                    }
                },
                onError = { _, _, previous -> client.setQueryData(userKey, previous) },  // roll back
                onSettled = { _, _, _, _ -> client.invalidateQueries(userKey) },          // then the server's truth
            ),
        )
        val error = runCatching { rename.mutate("Grace Hopper") }.exceptionOrNull()
        screen.close()
        out.println(
            "   rename $userKey to Grace Hopper: PUT /users/42 answered " +
                (if (error is ApiException) "${error.status} (${error.message})" else "$error"),
        )
        out.println(
            "   the screen showed: " + shown.mapIndexed { i, name ->
                when {
                    name == "Grace Hopper" -> "$name (optimistic)"
                    i > 0 -> "$name (rolled back)"
                    else -> name
                }
            }.joinToString(" -> "),
        )
        out.println(
            "   mutation status: ${rename.state.value.status}; cache now: ${client.getQueryData<User>(
                userKey,
            )?.name}; " +
                "HTTP calls: PUT ${server.calls("PUT /users/42")}, GET /users/42 ${server.calls("GET /users/42")} " +
                "(the refetch after settling)",
        )
    }

    private suspend fun persistence() {
        section("7. Persistence: the countries are cached in SQLite for the next run")
        val countries = listOf("FR", "DE", "JP", "BR", "CA").map { code ->
            // queryOptions<Country> persists: it picks a kotlinx.serialization codec for Country.
            queryOptions(queryKey("country", code), queryFn = { api.country(code) }, staleTime = 1.hours)
        }
        val before = client.storageStats()!!
        val loaded: List<Country>
        val time = measureNanoTime { loaded = client.parallelQueries(countries) }
        val after = client.storageStats()!!
        val fresh = after.hits - before.hits
        val stale = after.staleHits - before.staleHits
        val missing = after.misses - before.misses
        val calls = server.callsStartingWith("GET /countries/")
        out.println("   ${loaded.joinToString { "${it.code} ${it.name}" }}")
        when {
            missing == countries.size.toLong() -> {
                out.println(
                    "   run $run: the SQLite cache was empty ($missing misses), so $calls HTTP calls fetched them " +
                        "in ${Timing.format(time)}; they are saved for the next run",
                )
                out.println("   -> run the same command again: the next run loads them from SQLite, without HTTP calls")
            }
            fresh == countries.size.toLong() && calls == 0 -> {
                val savedAt = client.getQueryState<Country>(countries.first().queryKey)!!.dataUpdatedAt
                out.println(
                    "   run $run: $fresh queries served from SQLite, $calls HTTP calls, in ${Timing.format(time)} " +
                        "(fetched by an earlier run ${(System.currentTimeMillis() - savedAt) / 1000} s ago, fresh for 1 h)",
                )
            }
            else ->
                out.println(
                    "   from SQLite: $fresh fresh, $stale stale (shown at once, refetched in the background); " +
                        "$missing missing (fetched); HTTP calls so far: $calls",
                )
        }
    }
}
