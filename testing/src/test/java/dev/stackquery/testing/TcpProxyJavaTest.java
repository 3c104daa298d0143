package dev.stackquery.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TcpProxy from Java, in front of a local echo server: forwards, cuts, restores. */
class TcpProxyJavaTest {

    /** Answers each line of each connection with the same line, on daemon threads. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket socket = server.accept();
                    Thread echo = new Thread(() -> echo(socket));
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    private static void echo(Socket socket) {
        try (socket;
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
            }
        } catch (IOException dropped) {
            // the proxy reset the connection
        }
    }

    /** Sends [line] through a new connection to [port] and returns the answer (null: closed without one). */
    private static String roundTrip(int port, String line) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(line);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void forwardsThenRefusesWhileCutThenForwardsAgain() throws IOException {
        try (ServerSocket server = echoServer(); TcpProxy proxy = new TcpProxy("127.0.0.1", server.getLocalPort())) {
            assertEquals("hello", roundTrip(proxy.getPort(), "hello"));
            proxy.cut();
            assertThrows(IOException.class, () -> {
                if (roundTrip(proxy.getPort(), "lost") == null) {
                    throw new IOException("closed without an answer");
                }
            });
            proxy.restore();
            assertEquals("again", roundTrip(proxy.getPort(), "again"));
        }
    }
}
