package dev.stackquery.desktop.internal

import java.awt.KeyboardFocusManager
import java.beans.PropertyChangeListener

/**
 * Where [dev.stackquery.desktop.AwtFocusManager] learns whether one of the application's windows
 * is active: the AWT's [KeyboardFocusManager] in an application, a fake in the tests.
 */
internal interface ActiveWindowSource {
    /** Whether one of the application's windows is the active window now. */
    val hasActiveWindow: Boolean

    /** Calls [onChange] after every change of the active window until the returned function runs. */
    fun watch(onChange: () -> Unit): () -> Unit
}

/**
 * The AWT's own view: [focusManager]'s [KeyboardFocusManager.getActiveWindow] and its bound
 * property `activeWindow`, whose changes the AWT fires on the event dispatch thread.
 */
internal class KeyboardFocusSource(
    private val focusManager: KeyboardFocusManager = KeyboardFocusManager.getCurrentKeyboardFocusManager(),
) : ActiveWindowSource {
    override val hasActiveWindow: Boolean get() = focusManager.activeWindow != null

    override fun watch(onChange: () -> Unit): () -> Unit {
        val listener = PropertyChangeListener { onChange() }
        focusManager.addPropertyChangeListener(ACTIVE_WINDOW, listener)
        return { focusManager.removePropertyChangeListener(ACTIVE_WINDOW, listener) }
    }

    private companion object {
        const val ACTIVE_WINDOW = "activeWindow"
    }
}
