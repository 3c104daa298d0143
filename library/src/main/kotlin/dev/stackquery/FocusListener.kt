package dev.stackquery

/** Told when the application gains or loses focus. See [FocusManager.addListener]. */
public fun interface FocusListener {
    /** The application is now [focused] (in the foreground) or not. */
    public fun onFocusChanged(focused: Boolean)
}
