package dev.stackquery.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryObserver;
import dev.stackquery.QueryOptions;
import dev.stackquery.Subscription;
import java.awt.EventQueue;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/**
 * The desktop module from plain Java: the managers' factories and builder wired into
 * QueryClientConfig's builder, and SwingQueryBinding with a lambda listener. The Swing test needs
 * an X display (skipped without one, unless STACKQUERY_REQUIRE_SERVICES=true).
 */
class DesktopJavaTest {
    private static final QueryKey USER = QueryKey.of("user", 42);

    @Test
    void theNetworkManagerIsBuiltWithAProbeAndWiredIntoTheClientConfig() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                NetworkOnlineManager online = NetworkOnlineManager.builder()
                        .interfaceCheckInterval(Duration.ofSeconds(2))
                        .probe(ReachabilityProbe.tcp("127.0.0.1", server.getLocalPort()))
                        .probeInterval(Duration.ofSeconds(10))
                        .probeTimeout(Duration.ofSeconds(1))
                        .build()) {
            QueryClient client = new QueryClient(QueryClientConfig.builder().onlineManager(online).build());
            try {
                assertEquals(online, client.getConfig().getOnlineManager());
                Subscription listening = online.addListener(isOnline -> { });
                listening.close();
                assertFalse(listening.isSubscribed());
            } finally {
                client.close();
            }
        }
        ReachabilityProbe custom = timeout -> timeout.compareTo(Duration.ofSeconds(1)) <= 0;
        assertTrue(custom.isReachable(Duration.ofMillis(500)));
    }

    @Test
    void theSwingBindingDeliversOnTheEventDispatchThreadUntilTheWindowIsDisposed() throws Exception {
        String skip = TestDisplay.skipReason();
        assumeTrue(skip == null, skip);
        TestDisplay.requireWindows();

        AwtFocusManager focus = AwtFocusManager.create();
        QueryClient client = new QueryClient(QueryClientConfig.builder().focusManager(focus).build());
        JFrame[] frame = new JFrame[1];
        try {
            client.setQueryData(USER, "Ada");
            QueryOptions<String> options = QueryOptions.<String>builder(
                    USER, () -> CompletableFuture.completedFuture("fetched")).enabled(false).build();
            QueryObserver<String> observer = client.watch(options);
            List<String> names = new CopyOnWriteArrayList<>();
            List<Boolean> onEdt = new CopyOnWriteArrayList<>();
            JLabel label = new JLabel();
            Subscription binding = SwingQueryBinding.bind(label, observer, state -> {
                onEdt.add(SwingUtilities.isEventDispatchThread());
                names.add(state.getData());
                label.setText(state.getData());
            });

            EventQueue.invokeAndWait(() -> {
                frame[0] = new JFrame("Java");
                frame[0].add(label);
                frame[0].pack();
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (names.isEmpty() && System.nanoTime() < deadline) {
                EventQueue.invokeAndWait(() -> { });
            }
            assertEquals(List.of("Ada"), names);
            assertEquals(List.of(true), onEdt);
            assertEquals(1, client.queries(USER).get(0).getObserverCount());

            EventQueue.invokeAndWait(() -> frame[0].dispose());
            assertEquals(0, client.queries(USER).get(0).getObserverCount());
            binding.close();
            assertFalse(binding.isSubscribed());
        } finally {
            EventQueue.invokeAndWait(() -> {
                if (frame[0] != null) frame[0].dispose();
            });
            client.close();
            focus.close();
        }
    }
}
