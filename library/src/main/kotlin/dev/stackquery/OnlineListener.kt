package dev.stackquery

/** Told when the network goes away or comes back. See [OnlineManager.addListener]. */
public fun interface OnlineListener {
    /** The network is now [online] or not. */
    public fun onOnlineChanged(online: Boolean)
}
