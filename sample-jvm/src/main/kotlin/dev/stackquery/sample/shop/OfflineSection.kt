package dev.stackquery.sample.shop

import dev.stackquery.ManualOnlineManager
import dev.stackquery.MutationOptions
import dev.stackquery.QueryClient
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import dev.stackquery.sample.DemoServer
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import java.io.PrintStream
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.time.Duration.Companion.seconds

/**
 * Section 8 of the tour: the network drops and comes back, as the client's [ManualOnlineManager]
 * reports it (an app would drive it from a connectivity callback). A screen opened offline shows
 * its query paused, not loading, and a save made offline waits, paused, without an HTTP call;
 * both run once the network is back.
 */
internal suspend fun offlineAndBack(
    client: QueryClient,
    api: ShopApi,
    server: DemoServer,
    network: ManualOnlineManager,
    out: PrintStream,
) = coroutineScope {
    out.println()
    out.println("8. Offline and back: the OnlineManager reports the network gone, then back")
    val mouse = QueryOptions(queryKey("stock", "MS-1"), queryFn = { api.stock("MS-1") })
    val rename = client.mutation(MutationOptions<User, String, Unit>(mutationFn = { name -> api.renameUser(7, name) }))
    network.setOnline(false)
    val states = CopyOnWriteArrayList<String>()  // what a screen showing the mouse's stock went through
    val screen = client.watch(mouse).subscribe { state ->
        val shown = "${state.status}/${state.fetchStatus}"
        if (states.lastOrNull() != shown) states += shown
    }
    val save = async { rename.mutate("Alan M. Turing") }
    withTimeout(10.seconds) {
        while (client.getQueryState<Stock>(mouse.queryKey)?.isPaused != true || !rename.state.value.isPaused) delay(5)
    }
    val paused = client.getQueryState<Stock>(mouse.queryKey)!!
    out.println(
        "   offline: ${mouse.queryKey} is ${paused.status}/${paused.fetchStatus} (isLoading=${paused.isLoading}), " +
            "the rename is paused=${rename.state.value.isPaused}; HTTP calls: GET /stock/MS-1 " +
            "${server.calls("GET /stock/MS-1")}, PUT /users/7 ${server.calls("PUT /users/7")}",
    )
    network.setOnline(true)
    val renamed = withTimeout(10.seconds) { save.await() }
    withTimeout(10.seconds) {
        while (states.lastOrNull() != "SUCCESS/IDLE") delay(5) // the screen has shown the data
    }
    screen.close()
    out.println(
        "   back online: ${client.getQueryData<Stock>(mouse.queryKey)?.available} mice in stock, user 7 is now " +
            "${renamed.name}; HTTP calls: GET /stock/MS-1 ${server.calls("GET /stock/MS-1")}, " +
            "PUT /users/7 ${server.calls("PUT /users/7")}",
    )
    out.println("   the stock screen showed: ${states.joinToString(" -> ")}")
}
