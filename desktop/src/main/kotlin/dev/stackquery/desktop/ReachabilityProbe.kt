package dev.stackquery.desktop

import dev.stackquery.desktop.internal.HttpHeadProbe
import dev.stackquery.desktop.internal.TcpConnectProbe
import java.net.URI
import java.time.Duration

/**
 * Tells whether a service the application needs can be reached: the optional second check of a
 * [NetworkOnlineManager], run on its own thread beside the check of the network interfaces. An
 * interface that is up says nothing about a captive portal, a VPN that is down or a dead
 * upstream; a probe does.
 *
 * [tcp] connects to a host and port, [http] sends a `HEAD` request; an application may also write
 * its own (its API's health endpoint through its own HTTP client, say). A probe that throws counts
 * as unreachable.
 */
public fun interface ReachabilityProbe {
    /**
     * Whether the service answers within [timeout]. Called on the online manager's own thread,
     * never on a caller's; it may block, for about [timeout] at most.
     */
    public fun isReachable(timeout: Duration): Boolean

    public companion object {
        /**
         * Reachable when a TCP connection to [host]:[port] is established within the timeout (the
         * host name is resolved at each probe); the connection is closed at once.
         *
         * @throws IllegalArgumentException when [port] is not in 1..65535 or [host] is blank.
         */
        @JvmStatic
        public fun tcp(host: String, port: Int): ReachabilityProbe = TcpConnectProbe(host, port)

        /**
         * Reachable when a `HEAD` request to [url] gets any HTTP response within the timeout
         * (connect and read, each): a `404` or a `503` still proves that the network is there.
         * Redirects are not followed.
         *
         * @throws IllegalArgumentException when [url] is not an absolute `http` or `https` URL.
         */
        @JvmStatic
        public fun http(url: URI): ReachabilityProbe = HttpHeadProbe(url)

        /** [http] for a URL given as text, such as `"https://api.example.com/health"`. */
        @JvmStatic
        public fun http(url: String): ReachabilityProbe = http(URI.create(url))
    }
}
