package dev.stackquery.desktop.internal

import java.net.InetAddress
import java.net.NetworkInterface

/**
 * The check of the network interfaces behind [dev.stackquery.desktop.NetworkOnlineManager]: is
 * there an interface that could carry traffic off this machine?
 */
internal object NetworkInterfaces {
    /**
     * True when some interface is up, is not the loopback, and has an address that is neither a
     * loopback nor a link-local one (an interface with only `169.254.x.x` or `fe80::` has no
     * network behind it: a cable without DHCP, a Wi-Fi that has not joined). Reads the
     * interfaces anew (a few milliseconds); throws the [java.net.SocketException] of a failed read.
     */
    fun anyUsable(): Boolean = NetworkInterface.networkInterfaces().anyMatch { candidate ->
        try {
            candidate.isUp && !candidate.isLoopback && candidate.inetAddresses().anyMatch(::isRoutable)
        } catch (_: java.net.SocketException) {
            false // it went away while being read
        }
    }

    /** An address that can reach beyond this machine and its link. */
    fun isRoutable(address: InetAddress): Boolean = !address.isLoopbackAddress && !address.isLinkLocalAddress
}
