package dev.stackquery.sample.javashop;

import dev.stackquery.ManualOnlineManager;
import dev.stackquery.Mutation;
import dev.stackquery.MutationOptions;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.QueryState;
import dev.stackquery.Subscription;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.sample.DemoServer;
import dev.stackquery.sample.javashop.JavaShopApi.Stock;
import dev.stackquery.sample.javashop.JavaShopApi.User;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Section 8 of the Java tour, as the Kotlin one's: the network drops and comes back, as the
 * client's {@link ManualOnlineManager} reports it. A screen opened offline shows its query paused,
 * and a save made offline waits, paused, without an HTTP call; both run once the network is back.
 */
final class JavaOfflineSection {
    private JavaOfflineSection() {
    }

    static void run(QueryClient client, JavaShopApi api, DemoServer server, ManualOnlineManager network, PrintStream out)
            throws Exception {
        out.println();
        out.println("8. Offline and back: the OnlineManager reports the network gone, then back");
        QueryKey mouseKey = QueryKey.of("stock", "MS-1");
        QueryOptions<Stock> mouse = QueryOptions.<Stock>builder(mouseKey, () -> api.stock("MS-1")).build();
        Mutation<User, String> rename = client.mutation(
                MutationOptions.<User, String, Void>builder(name -> api.renameUser(7, name)).build());
        network.setOnline(false);
        List<String> states = new CopyOnWriteArrayList<>();       // what a screen showing the mouse's stock went through
        Subscription screen = client.watch(mouse).subscribe(state -> {
            String shown = state.getStatus() + "/" + state.getFetchStatus();
            if (states.isEmpty() || !states.get(states.size() - 1).equals(shown)) {
                states.add(shown);
            }
        });
        CompletableFuture<User> save = FutureQueryClient.of(client).mutate(rename, "Alan M. Turing");
        awaitTrue(() -> isPaused(client.getQueryState(mouseKey)) && rename.getState().getValue().isPaused());
        QueryState<Stock> paused = client.getQueryState(mouseKey);
        out.println("   offline: " + mouseKey + " is " + paused.getStatus() + "/" + paused.getFetchStatus()
                + " (isLoading=" + paused.isLoading() + "), the rename is paused=" + rename.getState().getValue().isPaused()
                + "; HTTP calls: GET /stock/MS-1 " + server.calls("GET /stock/MS-1")
                + ", PUT /users/7 " + server.calls("PUT /users/7"));
        network.setOnline(true);
        User renamed = save.get(10, TimeUnit.SECONDS);
        awaitTrue(() -> !states.isEmpty() && states.get(states.size() - 1).equals("SUCCESS/IDLE")); // the screen shows it
        screen.close();
        Stock stock = client.getQueryData(mouseKey);
        out.println("   back online: " + stock.available() + " mice in stock, user 7 is now " + renamed.name()
                + "; HTTP calls: GET /stock/MS-1 " + server.calls("GET /stock/MS-1")
                + ", PUT /users/7 " + server.calls("PUT /users/7"));
        out.println("   the stock screen showed: " + String.join(" -> ", states));
    }

    private static boolean isPaused(QueryState<?> state) {
        return state != null && state.isPaused();
    }

    /** Polls {@code condition} (bounded: 10 s), as a screen would wait for the states it shows. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the tour's offline section timed out");
            }
            Thread.sleep(5);
        }
    }
}
