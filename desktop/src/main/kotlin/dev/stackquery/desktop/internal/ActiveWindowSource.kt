package dev.stackquery.desktop.internal

import java.awt.AWTEvent
import java.awt.KeyboardFocusManager
import java.awt.Toolkit
import java.awt.Window
import java.awt.event.AWTEventListener
import java.awt.event.ComponentEvent
import java.awt.event.WindowEvent
import java.beans.PropertyChangeListener

/**
 * Where [dev.stackquery.desktop.AwtFocusManager] learns whether one of the application's windows
 * is active: the AWT in an application, a fake in the tests.
 */
internal interface ActiveWindowSource {
    /** Whether one of the application's windows is the active window now. */
    val hasActiveWindow: Boolean

    /** Calls [onChange] after every change that may change [hasActiveWindow], until the returned function runs. */
    fun watch(onChange: () -> Unit): () -> Unit
}

/**
 * The AWT's own view: [focusManager]'s active window, when it is still showing. The AWT keeps a
 * disposed or hidden window as the active one when no other window takes the focus (seen under
 * Xvfb, with and without a window manager), so a window that is no longer showing does not count,
 * and its closing, hiding and iconifying are watched (a toolkit-wide [AWTEventListener]) beside
 * the `activeWindow` property. The AWT fires both on the event dispatch thread.
 */
internal class KeyboardFocusSource(
    private val focusManager: KeyboardFocusManager = KeyboardFocusManager.getCurrentKeyboardFocusManager(),
    private val toolkit: Toolkit = Toolkit.getDefaultToolkit(),
) : ActiveWindowSource {
    override val hasActiveWindow: Boolean get() = focusManager.activeWindow?.isShowing == true

    override fun watch(onChange: () -> Unit): () -> Unit {
        val activeWindow = PropertyChangeListener { onChange() }
        val windowGone = AWTEventListener { event -> if (isWindowGone(event)) onChange() }
        focusManager.addPropertyChangeListener(ACTIVE_WINDOW, activeWindow)
        toolkit.addAWTEventListener(windowGone, AWTEvent.WINDOW_EVENT_MASK or AWTEvent.COMPONENT_EVENT_MASK)
        return {
            toolkit.removeAWTEventListener(windowGone)
            focusManager.removePropertyChangeListener(ACTIVE_WINDOW, activeWindow)
        }
    }

    private fun isWindowGone(event: AWTEvent): Boolean = when (event.id) {
        WindowEvent.WINDOW_CLOSED, WindowEvent.WINDOW_ICONIFIED -> true
        ComponentEvent.COMPONENT_HIDDEN -> event.source is Window
        else -> false
    }

    private companion object {
        const val ACTIVE_WINDOW = "activeWindow"
    }
}
