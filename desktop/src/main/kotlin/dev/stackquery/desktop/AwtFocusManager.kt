@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.desktop

import dev.stackquery.FocusListener
import dev.stackquery.FocusManager
import dev.stackquery.Subscription
import dev.stackquery.desktop.internal.ActiveWindowSource
import dev.stackquery.desktop.internal.KeyboardFocusSource
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.ObservableFlag
import org.slf4j.LoggerFactory
import java.awt.EventQueue
import java.awt.GraphicsEnvironment
import java.awt.HeadlessException
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean

/**
 * A [FocusManager] that follows an AWT or Swing application: focused while one of the
 * application's windows (a `JFrame`, `JDialog`, any `java.awt.Window`) is the active window,
 * unfocused while none is: another application has the focus, the windows are minimized, or
 * there are none (before the first is shown, after the last is disposed).
 *
 * ```kotlin
 * val focus = AwtFocusManager.create()
 * val client = QueryClient(QueryClientConfig(focusManager = focus))
 * // … on exit:
 * client.close(); focus.close()
 * ```
 *
 * **Between the application's own windows.** When the focus moves from one of its windows to
 * another (or a dialog closes and its owner gets the focus back), the AWT first deactivates the
 * old one (there is briefly no active window) and then activates the new one. That is not a loss
 * of focus and is not reported: after each change, the decision is taken on the event dispatch
 * thread once the events already queued have been dispatched (`EventQueue.invokeLater`), and
 * "unfocused" only when no window is active on two such turns in a row, by which time the new
 * window is active. There is no timer: a real loss of focus is reported within two turns of the
 * event queue, a gain within one. A window that was disposed, hidden or iconified does not count
 * as active even while the AWT still names it so.
 *
 * **Listeners** are called on the event dispatch thread, only when the focus changes; one that
 * throws is logged and does not keep the others from being told. [isFocused] may be read from
 * any thread. The manager follows the AWT's `KeyboardFocusManager` current when it is created
 * (an application that installs its own must do so first).
 *
 * **Closing.** [close] stops following the windows: [isFocused] keeps its last value and
 * listeners are not told anything more. Close it after the client that uses it.
 */
public class AwtFocusManager internal constructor(
    private val source: ActiveWindowSource,
    private val eventThread: Executor,
) : FocusManager, AutoCloseable {
    private val flag = ObservableFlag(source.hasActiveWindow) { log.warn("A focus listener failed", it) }
    private val decisionQueued = AtomicBoolean(false)
    private val closed = AtomicBoolean(false)
    private val unwatch: () -> Unit = source.watch(::changed)

    init {
        changed() // the active window may have changed between the first read and the watch
    }

    override val isFocused: Boolean get() = flag.value

    /** Registers [listener]; it is called on the event dispatch thread, with each change from now on. */
    override fun addListener(listener: FocusListener): Subscription = flag.addListener(listener::onFocusChanged)

    /** Stops following the windows. Idempotent; thread-safe. */
    override fun close() {
        if (closed.compareAndSet(false, true)) unwatch()
    }

    override fun toString(): String = "AwtFocusManager(focused=$isFocused)"

    /** The active window may have changed: decide after the events queued behind this one (one decision at a time). */
    private fun changed() {
        if (closed.get() || !decisionQueued.compareAndSet(false, true)) return
        eventThread.execute { decide(confirming = false) }
    }

    /**
     * Focused as soon as a window is active; unfocused only when none is on two turns of the event
     * queue in a row, so that the next window's activation, queued behind the deactivation, is seen
     * first. Runs on the event dispatch thread, like every change it follows.
     */
    private fun decide(confirming: Boolean) {
        decisionQueued.set(false)
        if (closed.get()) return
        when {
            source.hasActiveWindow -> flag.set(true)
            confirming -> flag.set(false)
            decisionQueued.compareAndSet(false, true) -> eventThread.execute { decide(confirming = true) }
        }
    }

    public companion object {
        private val log = LoggerFactory.getLogger(AwtFocusManager::class.java)

        /**
         * A focus manager following this application's windows, focused at once if one of them
         * is active now. Any thread may call it.
         *
         * @throws HeadlessException in a headless JVM (`java.awt.headless=true`, or no display):
         * there are no windows to follow. A server or a test uses [FocusManager.ALWAYS_FOCUSED]
         * or [FocusManager.manual] instead.
         */
        @JvmStatic
        public fun create(): AwtFocusManager {
            if (GraphicsEnvironment.isHeadless()) {
                throw HeadlessException(
                    "AwtFocusManager follows an application's windows, and a headless JVM has none: " +
                        "use FocusManager.ALWAYS_FOCUSED or FocusManager.manual()",
                )
            }
            return AwtFocusManager(KeyboardFocusSource(), EventQueue::invokeLater)
        }
    }
}
